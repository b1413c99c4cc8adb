#!/usr/bin/env bash
# The README's build-and-test command: compile, generate JNI glue, build native code with
# CMake, run the test suite, and package the jars.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B verify "$@"
