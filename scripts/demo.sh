#!/usr/bin/env bash
# The main job on the built-in data: build sdevk, show the device, train a
# score network on the 8-Gaussians toy set (VP SDE, denoising score
# matching), sample 10,000 points from it and report their quality. Each run
# writes a new directory under runs/ (checkpoints, metrics, loss and sample
# plots, samples.npy); nothing earlier is overwritten.
#
#   scripts/demo.sh [train flags]        the toy demo
#   scripts/demo.sh mnist [train flags]  the image demo: DDPM++ on MNIST
#                                        (configs/mnist_ddpmpp.toml) for a short
#                                        while ($STEPS steps, default 400), then
#                                        a grid of 64 samples by a 200-step
#                                        sampler; MNIST comes with
#                                        `scripts/deps.sh data`. Its full run
#                                        is `sdevk train --config configs/mnist_ddpmpp.toml`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = mnist ]; then
  shift
  scripts/deps.sh data
  go build -o sdevk ./cmd/sdevk
  ./sdevk info
  out=runs/demo-mnist-$(date +%Y%m%d-%H%M%S)
  ./sdevk train --config configs/mnist_ddpmpp.toml --out "$out" --steps "${STEPS:-400}" \
    --set sampling.n_steps=200 "$@"
  echo "outputs in $out: samples.png (the grid) loss.png samples.npy metrics.jsonl checkpoints/"
  exit 0
fi
scripts/deps.sh
go build -o sdevk ./cmd/sdevk
./sdevk info
out=runs/demo-$(date +%Y%m%d-%H%M%S)
./sdevk train --config configs/vp_dsm.toml --out "$out" "$@"
echo "outputs in $out: loss.png samples.png samples.npy metrics.jsonl checkpoints/"
