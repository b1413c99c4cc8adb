#!/usr/bin/env bash
# Builds the native libraries with AddressSanitizer and UndefinedBehaviorSanitizer and runs the
# test suite (the parity suite among it) against them, with the ASan runtime preloaded into the
# test JVM. Passes only with zero sanitizer reports. Leaves the normal build untouched (its own
# build and output directories).
set -euo pipefail
cd "$(dirname "$0")/.."
asan="$(g++ -print-file-name=libasan.so)"
if [ ! -e "$asan" ]; then echo "libasan not found (g++ -print-file-name=libasan.so)" >&2; exit 1; fi
reports=target/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"
# A documented sample, not the whole suite (the test step runs that natively): every test class
# but the forked soak JVM and the bench's timing run (both time a sanitized build: the bench's
# large calls go through the same staged paths LastLevelCacheTest drives with a small cache), and
# ParityTest on the grid's sample (ParityGrid.sample(): every op, direction, mode, layout, input
# and storage type, every tenth shape) on every kernel set and backend.
mvn -B -Psanitize -Dasan.library="$asan" test -Dnorm4j.parityGrid=sample \
  -Dtest='!SoakTest,!MainJsonTest#benchReportsTimingsSpeedupsAndBandwidth' -Dsurefire.failIfNoSpecifiedTests=false "$@"
if compgen -G "$reports/*" > /dev/null; then
  echo "sanitizer reports:" >&2
  cat "$reports"/* >&2
  exit 1
fi
echo "sanitize: no AddressSanitizer or UndefinedBehaviorSanitizer reports"
