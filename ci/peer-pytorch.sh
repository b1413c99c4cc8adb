#!/usr/bin/env bash
# NATIVE and ONEDNN against PyTorch's CPU kernels through DJL (not part of the test run or CI).
# Needs ai.djl.pytorch:pytorch-engine, pytorch-jni and pytorch-native-cpu (linux-x86_64) from
# Maven Central; runs offline after that. Optional argument: time budget per case in ms.
exec "$(dirname "$0")/run-profile-main.sh" pytorch io.norm4j.cli.PyTorchPeer "$@"
