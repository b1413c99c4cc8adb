#!/usr/bin/env bash
# Makes sure the tools the build drives are present: a JDK 17+, Maven, CMake >= 3.20 and a
# C++17 compiler. On a Debian-like machine missing one, installs it with apt-get.
set -euo pipefail

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
# ci/sanitize.sh preloads GCC's AddressSanitizer runtime.
if command -v g++ >/dev/null 2>&1 && [ ! -e "$(g++ -print-file-name=libasan.so)" ]; then missing+=(libasan8); fi

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# sed (not head) reads all input, so pipefail never sees a SIGPIPE'd producer.
java -version 2>&1 | sed -n 1p
mvn -v 2>/dev/null | sed -n 1p
cmake --version | sed -n 1p
g++ --version | sed -n 1p
