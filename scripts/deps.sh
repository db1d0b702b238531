#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages sdevk needs, when they are missing.
#   scripts/deps.sh        what running sdevk needs (Vulkan loader and a driver)
#   scripts/deps.sh viewer also the X11 headers the windowed viewer builds with
#   scripts/deps.sh test   also what the test suite needs (shader compiler,
#                          validator, validation layers, X11 headers and Xvfb
#                          for the viewer test)
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
