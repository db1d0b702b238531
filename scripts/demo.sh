#!/usr/bin/env bash
# The main job on the built-in data: build sdevk, show the device, train a
# score network on the 8-Gaussians toy set (VP SDE, denoising score
# matching), sample 10,000 points from it and report their quality. Each run
# writes a new directory under runs/ (checkpoints, metrics, loss and sample
# plots, samples.npy); nothing earlier is overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
go build -o sdevk ./cmd/sdevk
./sdevk info
out=runs/demo-$(date +%Y%m%d-%H%M%S)
./sdevk train --config configs/vp_dsm.toml --out "$out" "$@"
echo "outputs in $out: loss.png samples.png samples.npy metrics.jsonl checkpoints/"
