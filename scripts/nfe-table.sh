#!/usr/bin/env bash
# The README's "Fast samplers" table: for each shipped Gaussian-mixture
# config with the oracle score, the NFE at which each sampler's energy
# distance to exact samples first falls within 2x the exact-vs-exact noise
# floor, next to PC-1000, EM-1000 and RK45, on the default Vulkan device.
#   scripts/nfe-table.sh [OUT.md] [N]   (N samples, default 10,000; ~10 min on lavapipe)
# A subset: SDEVK_NFE_CONFIGS=vp_dsm,subvp_dsm SDEVK_NFE_SAMPLERS=dpmpp2m,unipc scripts/nfe-table.sh
# (config names; row labels or their first word, e.g. "ddim" for both DDIM rows).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-nfe-table.md}")"
SDEVK_NFE_TABLE="$out" SDEVK_NFE_N="${2:-10000}" \
	go test -count=1 -timeout 60m -run '^TestNFETable$' ./sde/sampling/ >/dev/null
cat "$out"
