#!/usr/bin/env bash
# Compiles shaders/*.comp to shaders/spv/*.spv (committed and embedded) and
# builds the sdevk binary.
#   ./build.sh          compile shaders, validate them, build ./sdevk
#   ./build.sh shaders  compile and validate shaders only
#   ./build.sh check    fail if any committed SPIR-V is missing, stale or orphaned
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-all}

need() {
  for tool in glslc spirv-val; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found: apt-get install glslc spirv-tools" >&2; exit 1; }
  done
}

compile() { # compile SRC OUT
  glslc --target-env=vulkan1.1 -O -I shaders -o "$2" "$1"
  spirv-val --target-env vulkan1.1 "$2"
}

case "$mode" in
  shaders|all)
    need
    mkdir -p shaders/spv
    for src in shaders/*.comp; do
      compile "$src" "shaders/spv/$(basename "${src%.comp}").spv"
    done
    for spv in shaders/spv/*.spv; do
      [ -f "shaders/$(basename "${spv%.spv}").comp" ] || { echo "removing orphan $spv"; rm "$spv"; }
    done
    if [ "$mode" = all ]; then go build -o sdevk ./cmd/sdevk; fi
    ;;
  check)
    need
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    bad=0
    for src in shaders/*.comp; do
      name=$(basename "${src%.comp}")
      compile "$src" "$tmp/$name.spv"
      if ! cmp -s "$tmp/$name.spv" "shaders/spv/$name.spv"; then
        echo "stale or missing: shaders/spv/$name.spv (run ./build.sh shaders)"; bad=1
      fi
    done
    for spv in shaders/spv/*.spv; do
      [ -f "shaders/$(basename "${spv%.spv}").comp" ] || { echo "orphan: $spv has no source"; bad=1; }
    done
    exit $bad
    ;;
  *) echo "usage: ./build.sh [shaders|check]" >&2; exit 2 ;;
esac
