#!/usr/bin/env bash
# The main job on the built-in data: build sdevk, show the device.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
go build -o sdevk ./cmd/sdevk
./sdevk info
