#!/usr/bin/env bash
# The multi-release part of the jar (io.norm4j.Tensors: MemorySegment views, JDK 22+): builds with
# the newest JDK installed, which must be 22 or later, runs its tests there, checks the jar carries
# the versioned class, and that the CLI jar's Enable-Native-Access entry keeps JDK 24+ quiet.
set -euo pipefail
cd "$(dirname "$0")/.."

feature() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | sed -n 1p; }
jdk=""
best=0
for home in /usr/lib/jvm/*/; do
  home="${home%/}"
  [ -x "$home/bin/javac" ] || continue
  v="$(feature "$home")"
  if [ -n "$v" ] && [ "$v" -gt "$best" ]; then best="$v"; jdk="$home"; fi
done
if [ "$best" -lt 22 ]; then
  echo "jdk22: no JDK 22 or later under /usr/lib/jvm (newest: ${best}); the MemorySegment views cannot be built or tested" >&2
  exit 1
fi
echo "jdk22: building and testing with JDK $best ($jdk)"
JAVA_HOME="$jdk" mvn -B package -Dtest='TensorsTest,TensorTest,ModuleTrainingTest' -Dsurefire.failIfNoSpecifiedTests=false
jar="$(ls target/norm4j-*.jar | grep -v -- '-sources\|-javadoc\|-linux-' | sed -n 1p)"
# Outputs are captured before they are searched: grep -q at the end of a pipe exits at its first
# match, and under pipefail the writer's SIGPIPE would then fail a check that holds.
listing="$(unzip -l "$jar")"
grep -q 'META-INF/versions/22/io/norm4j/Tensors.class' <<< "$listing" \
  || { echo "jdk22: $jar lacks META-INF/versions/22/io/norm4j/Tensors.class" >&2; exit 1; }
warnings="$("$jdk/bin/java" -jar target/norm4j-cli.jar bench --only "rms_norm forward inference rows 1x768" 2>&1 >/dev/null)"
if grep -q "restricted method" <<< "$warnings"; then
  echo "jdk22: the CLI jar still warns about restricted methods on JDK $best" >&2
  exit 1
fi
echo "jdk22: $jar is multi-release; the CLI runs quietly on JDK $best"
