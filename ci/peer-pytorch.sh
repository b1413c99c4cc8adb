#!/usr/bin/env bash
# NATIVE and ONEDNN against PyTorch's CPU kernels through DJL (not part of the test run or CI).
# Needs ai.djl.pytorch:pytorch-engine, pytorch-jni and pytorch-native-cpu (linux-x86_64) from
# Maven Central; runs offline after that. Optional argument: time budget per case in ms.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Ppytorch test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/peer-classpath.txt
java -cp "target/test-classes:target/classes:target/native:$(cat target/peer-classpath.txt)" \
  io.norm4j.cli.PyTorchPeer "$@"
