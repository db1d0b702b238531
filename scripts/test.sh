#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks that the committed
# SPIR-V matches the shader sources, vets, and runs every test with the Vulkan
# validation layer on, synchronization checks included (any validation
# message fails the test that caused it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
./build.sh check
go vet ./...
export SDEVK_VALIDATE=1
# Synchronization validation too: a missing barrier is a test failure.
export VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
go test -count=1 -timeout 20m ./... "$@"
scripts/fuzz.sh # every reader of untrusted input, 20 s each
# The windowed viewer, on a virtual X server (24-bit: lavapipe offers no
# surface formats at 16).
xvfb-run -a -s "-screen 0 1024x768x24" go test -count=1 -tags viewer -run Window ./viewer/
