#!/usr/bin/env bash
# JMH benchmarks of the facade on every backend (not part of the test run). Arguments go to
# JMH, e.g.:  ci/jmh.sh -prof gc 'layerNormForward' -p shape=1x768
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pjmh test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/jmh-classpath.txt
java -cp "target/test-classes:target/classes:target/native:$(cat target/jmh-classpath.txt)" \
  org.openjdk.jmh.Main "$@"
