#!/usr/bin/env bash
# Installs what Highlight Diffusion Studio needs to build, test and run on Debian 12.
# Idempotent: packages already present are skipped, and so is PyTorch when the project's
# Python environment (.venv, which also sees the system's site-packages) already has it.
#
#   packaging/setup-debian.sh            # everything
#   HD_SKIP_TORCH=1 packaging/setup-debian.sh   # Debian packages only
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
torch_spec="${HD_TORCH_SPEC:-torch==2.15.0}"

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git python3 python3-venv python3-pip
  # libraries chosen for the project
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqcustomplot-dev
  libopencv-dev libpng-dev libsentencepiece-dev sentencepiece nlohmann-json3-dev
  wordnet-dev wordnet-base libgl1-mesa-dev
  # tests, GUI tests and packaging checks (cpack -G DEB runs file and dpkg-shlibdeps)
  libgtest-dev libgmock-dev xvfb xauth desktop-file-utils appstream file dpkg-dev
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root to run: $*" >&2; exit 1; fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi

# PyTorch 2.x from PyPI: the libtorch inside its wheel is what the engine builds against
# (Debian's libtorch 1.13 is too old for it, and several times slower for diffusion). CMake
# finds it through .venv/bin/python3.
if [ -z "${HD_SKIP_TORCH:-}" ]; then
  py="$repo/.venv/bin/python3"
  if [ ! -x "$py" ]; then
    echo "setup: creating $repo/.venv"
    python3 -m venv --system-site-packages "$repo/.venv"
  fi
  if "$py" - <<'PY' 2>/dev/null
import sys, torch
major, minor = (int(x) for x in torch.__version__.split(".")[:2])
sys.exit(0 if (major, minor) >= (2, 1) else 1)
PY
  then
    echo "setup: PyTorch $("$py" -c 'import torch; print(torch.__version__)') already available"
  else
    echo "setup: installing $torch_spec into .venv (the wheel carries libtorch)"
    "$py" -m pip install --quiet --disable-pip-version-check "$torch_spec"
  fi
fi
echo "setup: done"
