#!/usr/bin/env bash
# Benchmarks from the built CLI jar: JSON on stdout, progress on stderr.
# Usage: ci/bench.sh [--full]   (after ci/test.sh or mvn -B verify)
set -euo pipefail
cd "$(dirname "$0")/.."
java -jar target/norm4j-cli.jar bench --json "$@"
