#!/usr/bin/env bash
# linux-arm64, really built and really run on this x86-64 machine:
#  1. installs (if missing) Debian's aarch64 cross compiler, qemu-user and an arm64 JRE
#     (multiarch package openjdk-17-jre-headless:arm64);
#  2. cross-compiles the native libraries (portable kernels; oneDNN and JavaCPP from their
#     linux-arm64 jars on Maven Central), packs target/norm4j-<version>-linux-arm64.jar and
#     installs it with `mvn install`;
#  3. runs the test suite on the arm64 JVM under qemu (all of it but the tests that start
#     further JVMs or need a JDK's compiler, which qemu-user without binfmt cannot provide;
#     ParityTest on the grid's sample, ParityGrid.sample()), then the CLI's parity job on the
#     whole grid.
set -euo pipefail
cd "$(dirname "$0")/.."
arm_java=/usr/lib/jvm/java-17-openjdk-arm64/bin/java

if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64 >/dev/null || [ ! -x "$arm_java" ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq g++-aarch64-linux-gnu qemu-user \
    openjdk-17-jre-headless:arm64
fi

export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
arm64=(-Djavacpp.platform=linux-arm64 -Dcmake.build.dir=target/cmake-arm64 -Dnative.dir=target/native-arm64
       -Dassembly.skipAssembly=true)
# The x86-64 host cannot load arm64 libraries, so Maven's own test run is skipped here; the
# suite runs below on the emulated arm64 JVM instead.
CMAKE_TOOLCHAIN_FILE="$PWD/ci/toolchain-aarch64.cmake" mvn -B install -DskipTests "${arm64[@]}" \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/arm64-classpath.txt
test -f target/norm4j-*-linux-arm64.jar

cp="target/test-classes:target/classes:target/native-arm64:$(cat target/arm64-classpath.txt)"
start=$(date +%s)
qemu-aarch64 "$arm_java" -Dnorm4j.requireNative=linux-arm64 -Dnorm4j.parityGrid=sample -cp "$cp" \
  org.junit.platform.console.ConsoleLauncher execute --select-package io.norm4j \
  --exclude-classname '.*(SoakTest|NoNativeLibraryTest|ReadmeExampleTest|MainJsonTest|LastLevelCacheTest)' \
  --details=summary --disable-banner
qemu-aarch64 "$arm_java" -cp "$cp" io.norm4j.cli.Main parity
echo "arm64: suite and parity passed on the emulated arm64 JVM in $(( $(date +%s) - start )) s"
