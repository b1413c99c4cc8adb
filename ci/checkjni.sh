#!/usr/bin/env bash
# Runs the test suite with -Xcheck:jni in the test JVMs and fails on any JNI warning or error.
set -euo pipefail
cd "$(dirname "$0")/.."
log=target/checkjni.log
mkdir -p target
rm -f target/surefire-reports/*.dumpstream
# A documented sample of the suite: BenchPlotTest is left out, as it renders a PNG through the
# JDK's own AWT/ImageIO native code, which -Xcheck:jni flags (unchecked exceptions in the JDK's
# CallIntMethod uses); so is the bench's timing run, whose calls cross the same JNI glue as the
# rest; ParityTest runs the grid's sample (ParityGrid.sample()) on every kernel set and backend.
# This check is about norm4j's JNI glue, which every test left in exercises.
mvn -B -Pcheckjni test -Dnorm4j.parityGrid=sample \
  -Dtest='!BenchPlotTest,!MainJsonTest#benchReportsTimingsSpeedupsAndBandwidth' \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 | tee "$log"
# The JVM writes JNI warnings straight to its stdout, which surefire's forked-JVM channel
# reports as corrupted-stream dumps: search those too.
if grep -E "WARNING in native method|FATAL ERROR in native method" "$log" \
    target/surefire-reports/*.txt target/surefire-reports/*.dumpstream 2>/dev/null; then
  echo "checkjni: JNI warnings found (above)" >&2
  exit 1
fi
grep -q "Tests run: 1, Failures: 0, Errors: 0, Skipped: 0.*JvmArgumentsTest" "$log" \
  || { echo "checkjni: the -Xcheck:jni check did not run (or was skipped)" >&2; exit 1; }
echo "checkjni: no JNI warnings"
