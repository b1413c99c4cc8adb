#!/usr/bin/env bash
# Builds and tests norm4j-spark (spark/) against the artifacts ci/consumer-check.sh installed, under
# Spark's local[2] master (and one test on local-cluster, executors in JVMs of their own): the
# scalers as Spark ML estimators and batch norm synchronized across a barrier stage. Narrowed to this machine's platform unless every platform's jar is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | sed -n 1p)"
platform_args=()
if [ ! -f "$HOME/.m2/repository/io/norm4j/norm4j/$version/norm4j-$version-linux-arm64.jar" ]; then
  platform_args=(-Djavacpp.platform=linux-x86_64)
fi
mvn -B -f spark/pom.xml verify -Dnorm4j.version="$version" "${platform_args[@]}"
