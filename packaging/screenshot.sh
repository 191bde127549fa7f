#!/usr/bin/env bash
# Starts the real Highlight Diffusion Studio under Xvfb, runs one generation and saves a
# screenshot of the window (docs/screenshot.png by default).
#
#   packaging/screenshot.sh [MODEL [OUT.png] [extra hd-studio options...]]
#
# MODEL: a diffusers folder or .safetensors checkpoint; default the embedded model
# (resources/models/hd-shapes). Options given after OUT.png override the script's.
# The binary is taken from $HD_BUILD_DIR (default: build) or $HD_STUDIO. The app runs with
# fresh settings in a temporary folder, so your own layout and settings are not touched.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$here/resources/models/hd-shapes}
[ $# -gt 0 ] && shift
[ -e "$model" ] || { echo "$0: $model not found" >&2; exit 2; }
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

# One generation compared with the dense baseline. The embedded model at its own size and
# the default 50 steps; the tiny random-weight test pipelines at 64x64, which gives block
# grids fine enough to see, in 16 steps.
case $model in
  */tests/fixtures/* | tests/fixtures/*)
    run=(--prompt "a red star above a blue house" --steps 16 --seed 42 --size 64x64 --threshold 170) ;;
  *)
    run=(--prompt "a large orange heart next to a small blue circle on the grass" --steps 50 --seed 1) ;;
esac
XDG_CONFIG_HOME=$settings QT_SCALE_FACTOR=${QT_SCALE_FACTOR:-1} \
  xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$studio" --reset --model "$model" "${run[@]}" --overlays blocks --compare \
    --screenshot "$out" "$@"
echo "$0: wrote $out"
