#!/usr/bin/env bash
# JMH over the CLI bench's cases on every backend (not part of the test run). Arguments go to
# JMH, e.g.:  ci/jmh.sh -prof gc -p label="layer_norm forward inference rows 1x768" -p backend=NATIVE
exec "$(dirname "$0")/run-profile-main.sh" jmh org.openjdk.jmh.Main "$@"
