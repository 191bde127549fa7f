#!/bin/sh
# Starts the real Highlight Diffusion Studio under Xvfb, runs one generation and saves a
# screenshot of the window (docs/screenshot.png by default).
#
#   packaging/screenshot.sh MODEL [OUT.png] [extra hd-studio options...]
#
# MODEL: a diffusers folder or .safetensors checkpoint, e.g. tests/fixtures/data/pipeline_a.
# The binary is taken from $HD_BUILD_DIR (default: build) or $HD_STUDIO. The app runs with
# fresh settings in a temporary folder, so your own layout and settings are not touched.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 MODEL [OUT.png] [hd-studio options...]" >&2
  exit 2
fi
model=$1
shift
out=${1:-$here/docs/screenshot.png}
[ $# -gt 0 ] && shift
studio=${HD_STUDIO:-$here/${HD_BUILD_DIR:-build}/app/hd-studio}
if [ ! -x "$studio" ]; then
  echo "$0: $studio not found; build it first (cmake --build build --target hd-studio)" >&2
  exit 2
fi
command -v xvfb-run >/dev/null || { echo "$0: xvfb-run is missing (apt-get install xvfb xauth)" >&2; exit 2; }

settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
mkdir -p "$(dirname "$out")"

# OpenMP threads that spin while they wait make every step seconds long when other processes
# share the cores (a training job, a build); passive waiting keeps the timings meaningful.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

# One generation: 64x64 on the tiny test pipeline gives block grids fine enough to see.
XDG_CONFIG_HOME=$settings QT_SCALE_FACTOR=${QT_SCALE_FACTOR:-1} \
  xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$studio" --reset --model "$model" \
    --prompt "a red star above a blue house" --steps 16 --seed 42 \
    --size 64x64 --threshold 170 --overlays blocks --compare \
    --screenshot "$out" "$@"
echo "$0: wrote $out"
