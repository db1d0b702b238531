#!/usr/bin/env bash
# Runs each fuzz target briefly, one at a time (fuzzing uses every core).
# The seed corpora live in each package's testdata/fuzz/<Target>/; a crasher
# found here is written there too: commit it as a regression case and fix
# the reader. Usage: scripts/fuzz.sh [fuzztime], default 20s per target.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-20s}
# Every reader of untrusted input, as package:target.
targets=(
	./data:FuzzReadNPY
	./data:FuzzReadIDX
	./data:FuzzReadCIFAR10
	./data:FuzzReadImagesNPY
	./config:FuzzParse
	./checkpoint:FuzzDecode
	./checkpoint/torchckpt:FuzzRead
	./checkpoint/torchckpt:FuzzDecodePickle
)
for t in "${targets[@]}"; do
	pkg=${t%%:*}
	name=${t##*:}
	echo "fuzz $pkg $name ($fuzztime)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
