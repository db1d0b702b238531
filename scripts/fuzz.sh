#!/usr/bin/env bash
# Runs each fuzz target briefly, one at a time (fuzzing uses every core).
# The seed corpora live in each package's testdata/fuzz/<Target>/; a crasher
# found here is written there too: commit it as a regression case and fix
# the reader. Usage: scripts/fuzz.sh [scale], the budgets below times scale
# (default 1: about 10 s a target on 2 cores).
#
# Budgets are execution counts, not durations: with a duration, Go's fuzzing
# coordinator (before Go 1.27, go.dev/issue/75804) can report a bare
# "context deadline exceeded" failure at the deadline, with no crasher, when
# the machine is loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
# Every reader of untrusted input, as package:target:executions.
targets=(
	./data:FuzzReadNPY:400000
	./data:FuzzReadIDX:200000
	./data:FuzzReadCIFAR10:200000
	./data:FuzzReadImagesNPY:200000
	./config:FuzzParse:200000
	./checkpoint:FuzzDecode:400000
	./checkpoint/torchckpt:FuzzRead:5000
	./checkpoint/torchckpt:FuzzDecodePickle:100000
)
for t in "${targets[@]}"; do
	IFS=: read -r pkg name count <<<"$t"
	n=$((${count:-100000} * scale))
	echo "fuzz $pkg $name ($n executions)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "${n}x" "$pkg"
done
