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
# The forked soak JVM would time a sanitized build; everything else runs.
mvn -B -Psanitize -Dasan.library="$asan" test -Dtest='!SoakTest' -Dsurefire.failIfNoSpecifiedTests=false "$@"
if compgen -G "$reports/*" > /dev/null; then
  echo "sanitizer reports:" >&2
  cat "$reports"/* >&2
  exit 1
fi
echo "sanitize: no AddressSanitizer or UndefinedBehaviorSanitizer reports"
