#!/bin/bash
# Builds the kit that runs this tree on a borrowed GPU machine whose image has PyTorch but
# none of the project's other libraries (the workplace's "device" machines: torch
# 2.11.0+cu130 at /opt/torch/.venv, no OpenCV, sentencepiece or WordNet, nothing to fetch).
#
#   packaging/gpu-kit.sh [--torch 2.11.0] [--out .devcarry] [--jobs N]
#
# 1. a venv (.cache/torch-VERSION) with the PyPI torch wheel of the GPU machine's version;
# 2. a CUDA build against it (build-gpu/, no UI): hd, hd-train and the CUDA test programs;
# 3. the kit, OUT/kit.tar.xz: those programs and the sentencepiece module (bin/), the shared
#    libraries they need that are neither torch's, NVIDIA's nor the C/C++ runtime's (lib/:
#    OpenCV, libpng, sentencepiece, WordNet, ...) and WordNet's dictionary (wordnet/).
#    Compressed, it leaves room for the tree within what one device call carries (64 MiB).
# On the GPU machine, packaging/gpu-run.sh unpacks it and runs the CUDA tests, the
# benchmarks or a training run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=2.11.0 out=.devcarry jobs=2
while [ $# -gt 0 ]; do
  case $1 in
    --torch) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "gpu-kit.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
command -v nvcc > /dev/null || [ -x /usr/local/cuda/bin/nvcc ] ||
  { echo "gpu-kit.sh: nvcc not found (the CUDA kernels need it)" >&2; exit 1; }
[ -f /usr/share/wordnet/index.noun ] ||
  { echo "gpu-kit.sh: WordNet's dictionary is missing (apt-get install wordnet-base)" >&2; exit 1; }

venv=.cache/torch-$version
if ! "$venv/bin/python3" -c "import torch" 2> /dev/null; then
  echo "gpu-kit: installing torch==$version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "torch==$version"
fi
"$venv/bin/python3" -c "import torch, sys; sys.exit(0 if torch.version.cuda else 1)" 2> /dev/null ||
  { echo "gpu-kit.sh: torch==$version in $venv has no CUDA" >&2; exit 1; }

mkdir -p .cache
cmake -S . -B build-gpu -G Ninja -DHD_PYTHON="$PWD/$venv/bin/python3" -DHD_WITH_CUDA=ON \
  -DHD_BUILD_UI=OFF -DHD_BUILD_TESTS=ON > .cache/gpu-kit-configure.log
programs=(app/hd app/hd-train tests/test_gather_scatter tests/test_gather_scatter_half tests/test_kernel_twins
          tests/test_partial_graph tests/test_sparse_unet tests/test_models engine/libhd_spm.so)
cmake --build build-gpu -j "$jobs" --target hd hd-train test_gather_scatter \
  test_gather_scatter_half test_kernel_twins test_partial_graph test_sparse_unet test_models hd_spm

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
for p in "${programs[@]}"; do cp "build-gpu/$p" "$stage/bin/"; done
cp -r /usr/share/wordnet "$stage/wordnet"
# Libraries to carry: what the programs resolve here, less torch's and NVIDIA's (the GPU
# machine's torch brings its own) and glibc's and the C++ runtime's (newer there).
torch_lib=$("$venv/bin/python3" -c 'import os, torch; print(os.path.dirname(torch.__file__) + "/lib")' 2> /dev/null)
skip='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|librt\.|libpthread\.|libutil\.|libresolv\.|libmvec\.|libstdc\+\+|libgcc_s|libcuda\.|libcudart|libnv|libcu|libtorch|libc10|libshm)'
for p in "$stage"/bin/*; do
  LD_LIBRARY_PATH="$torch_lib" ldd "$p" | awk '$3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  [[ $name =~ $skip || $path == "$PWD/$venv"* ]] && continue
  cp -L "$path" "$stage/lib/$name"
done
missing=$(for p in "$stage"/bin/*; do LD_LIBRARY_PATH="$stage/lib:$torch_lib" ldd "$p"; done | grep "not found" | sort -u || true)
[ -z "$missing" ] || { echo "gpu-kit.sh: unresolved: $missing" >&2; exit 1; }
strip --strip-unneeded "$stage"/bin/* "$stage"/lib/* 2> /dev/null || true
echo "torch $version, built $(date -u +%Y-%m-%dT%H:%MZ) from $(git rev-parse --short HEAD 2> /dev/null || echo '?')" > "$stage/VERSION"

rm -rf "$out"
mkdir -p "$out"
tar -C "$stage" -cf - . | xz -6 -T0 > "$out/kit.tar.xz"
echo "gpu-kit: $out/kit.tar.xz, $(du -h "$out/kit.tar.xz" | cut -f1) ($(du -sh "$stage" | cut -f1) unpacked; torch $version)"
