#!/usr/bin/env bash
# Compiles the tests with a Maven profile's extra sources and dependencies, then runs a main class
# on that test class path: run-profile-main.sh PROFILE MAIN_CLASS [ARGS...]. Shared by jmh.sh and
# peer-pytorch.sh, which are never part of the test run.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="$1" main="$2"
shift 2
mvn -B -q -P"$profile" test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="target/$profile-classpath.txt"
java -cp "target/test-classes:target/classes:target/native:$(cat "target/$profile-classpath.txt")" "$main" "$@"
