#!/usr/bin/env bash
# Benchmarks the viewer: the time of a sampling run with and without --view
# (same run, same seed), and the window's frame rate for a 10,000-point
# cloud. Needs the viewer build's packages and a display; runs under Xvfb
# when none is set.
#   scripts/bench-view.sh [--checkpoint RUN_DIR | --config FILE --score oracle] [sample flags]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
go build -tags viewer -o /tmp/sdevk-view ./cmd/sdevk
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--config configs/vp_dsm.toml --score oracle --n 10000)
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1024x900x24" "$0" "$@"
fi
wall() { grep -o 'wall time [0-9.]*' | awk '{print $3}'; }
plain=$(/tmp/sdevk-view sample "${args[@]}" --out /tmp/bench-view-plain.npy | wall)
# The viewed run holds its final frame until the window closes: stop it once
# its outputs are written.
log=$(mktemp)
/tmp/sdevk-view sample "${args[@]}" --view --out /tmp/bench-view.npy > "$log" 2>&1 &
pid=$!
until grep -q 'wall time' "$log"; do sleep 0.5; kill -0 $pid 2>/dev/null || break; done
kill $pid 2>/dev/null || true
viewed=$(wall < "$log")
echo "sampling without --view: ${plain} s, with --view: ${viewed} s, ratio $(awk "BEGIN{printf \"%.2f\", $viewed/$plain}") (target <= 1.2)"
go test -tags viewer -run XXX -bench 'Window10k|Render' -benchtime 60x ./viewer/ | grep -E 'Benchmark|fps|ms'
