#!/usr/bin/env bash
# Installs the artifacts (mvn install) and builds a separate project that depends on them only
# by coordinates (java/it): a layer norm on NATIVE and ONEDNN, and six JVMs unpacking the
# native libraries into one fresh JavaCPP cache at once. Narrowed to this machine's platform
# unless every platform's jar is installed (ci/arm64.sh installs linux-arm64's).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B install -DskipTests
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | sed -n 1p)"
platform_args=()
if [ ! -f "$HOME/.m2/repository/io/norm4j/norm4j/$version/norm4j-$version-linux-arm64.jar" ]; then
  platform_args=(-Djavacpp.platform=linux-x86_64)
fi
mvn -B -f java/it/pom.xml verify -Dnorm4j.version="$version" "${platform_args[@]}"
