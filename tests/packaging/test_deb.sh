#!/usr/bin/env bash
# Protects the Debian package: cpack builds it from the build tree, dpkg-deb unpacks it into
# a temporary root, and the programs run from there without the build tree's paths: `hd
# --version` prints the project's version, libtorch loads from the package's own folder, hd
# looks for its resources under <root>/usr/share/hd-studio, a one-step generation on the test
# pipeline writes a PNG, and hd-train loads the package's SentencePiece module.
#
#   test_deb.sh CPACK BUILD_DIR VERSION UI(ON|OFF) PIPELINE_DIR [CUDA_LIBRARY_PATH]
#
# Exit 77 (skipped) where dpkg-deb is missing.
set -euo pipefail

cpack=$1 build=$2 version=$3 ui=$4 pipeline=$5 cuda_path=${6:-}

fail() { echo "FAIL: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "SKIPPED: dpkg-deb is missing"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hd-deb-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- build the package ---------------------------------------------------------------------------
start=$SECONDS
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" > "$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
debs=("$tmp"/pkg/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then fail "expected one .deb, got: ${debs[*]}"; fi
deb=${debs[0]}
echo "built $(basename "$deb"), $(du -h "$deb" | cut -f1), in $((SECONDS - start)) s"

# --- control fields --------------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = hd-studio ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version"
[ "$(field Section)" = graphics ] || fail "Section is '$(field Section)'"
depends=$(field Depends)
echo "Depends: $depends"
expected_deps=(libc6 libopencv-core libpng16-16 libsentencepiece0 wordnet)
[ "$ui" = ON ] && expected_deps+=(libqt6widgets6 libqcustomplot)
for dep in "${expected_deps[@]}"; do
  [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep"
done
# PNG goes through libpng: Debian's OpenCV imgcodecs would pull in GDAL, DICOM and video codecs.
[[ "$depends" != *libopencv-imgcodecs* ]] || fail "Depends has libopencv-imgcodecs"

# --- contents ----------------------------------------------------------------------------------
dpkg-deb -x "$deb" "$tmp/root"
root=$tmp/root/usr
expected_files=(bin/hd bin/hd-train lib/hd-studio/libhd_spm.so
  share/hd-studio/configs/sd-v1-4 share/hd-studio/tokenizers/clip-vit-large-patch14
  share/hd-studio/prompts share/hd-studio/icons/hd-studio.svg)
if [ "$ui" = ON ]; then
  expected_files+=(bin/hd-studio share/applications/io.github.hdstudio.HdStudio.desktop
    share/metainfo/io.github.hdstudio.HdStudio.metainfo.xml
    share/icons/hicolor/scalable/apps/hd-studio.svg)
  for size in 16 32 48 64 128 256; do
    expected_files+=("share/icons/hicolor/${size}x${size}/apps/hd-studio.png")
  done
fi
for f in "${expected_files[@]}"; do
  [ -e "$root/$f" ] || fail "the package lacks usr/$f"
done

# --- run from the unpacked root ------------------------------------------------------------------
# Nothing from this environment may point the programs at the build tree or the wheel.
run_env=(env -u HD_RESOURCE_DIR -u HD_SPM_MODULE -u LD_LIBRARY_PATH)
# CUDA builds: NVIDIA's libraries are the system's business (see packaging/CMakeLists.txt).
[ -n "$cuda_path" ] && run_env+=("LD_LIBRARY_PATH=$cuda_path")

# libtorch comes from the package: every torch / c10 library resolves under the root.
ldd_out=$("${run_env[@]}" ldd "$root/bin/hd")
if grep -q "not found" <<<"$ldd_out"; then
  echo "$ldd_out" >&2
  fail "hd has unresolved libraries"
fi
torch_paths=$(grep -E "lib(torch|c10)[^ ]*\.so => " <<<"$ldd_out" | sed -E 's/.* => (.*) \(0x.*/\1/') ||
  fail "hd does not load libtorch"
while read -r path; do
  real=$(realpath "$path")
  [[ "$real" == "$(realpath "$root/lib/hd-studio")"/* ]] || fail "hd loads $real from outside the package"
done <<<"$torch_paths"
echo "libtorch loads from the package: $(wc -l <<<"$torch_paths") libraries"

out=$("${run_env[@]}" "$root/bin/hd" --version) || fail "hd --version failed"
echo "$out"
[ "$(head -n1 <<<"$out")" = "hd $version" ] || fail "hd --version printed '$(head -n1 <<<"$out")'"

# Resources: without --model, hd takes the embedded default model from the installed share
# folder; generating with it when it is packaged, naming that path in the error otherwise.
shared_model=$root/share/hd-studio/models/hd-shapes
if [ -d "$shared_model" ]; then
  "${run_env[@]}" "$root/bin/hd" generate --prompt "a red circle" --steps 1 --seed 1 \
    --out "$tmp/default.png" > "$tmp/default.log" 2>&1 ||
    { cat "$tmp/default.log" >&2; fail "generation with the packaged default model failed"; }
  [ -s "$tmp/default.png" ] || fail "the default model's generation wrote no PNG"
  grep -q -F "$shared_model" "$tmp/default.log" ||
    { cat "$tmp/default.log" >&2; fail "hd did not load its default model from $shared_model"; }
  echo "generated with the packaged default model"
else
  rc=0
  "${run_env[@]}" "$root/bin/hd" generate --prompt "a red circle" --steps 1 \
    --out "$tmp/default.png" > "$tmp/default.log" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "hd generate without a model succeeded"
  grep -q -F "$shared_model" "$tmp/default.log" ||
    { cat "$tmp/default.log" >&2; fail "hd did not look for its default model in $shared_model"; }
  echo "no default model in the tree; hd looked for it at the installed path"
fi

# A one-step generation on the test pipeline.
png=$tmp/pipeline_a.png
"${run_env[@]}" "$root/bin/hd" generate --model "$pipeline" --prompt "a red circle" --steps 1 \
  --seed 1 --threads 2 --out "$png" > "$tmp/generate.log" 2>&1 ||
  { cat "$tmp/generate.log" >&2; fail "hd generate on $pipeline failed"; }
[ -s "$png" ] || fail "hd generate wrote no image"
[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "$png is not a PNG"
echo "generated $(stat -c %s "$png") bytes of PNG from the installed hd"

# hd-train trains a small SentencePiece tokenizer through the hd_spm module, which must be
# the package's (the dynamic linker's log names every library it opens).
"${run_env[@]}" LD_DEBUG=files "$root/bin/hd-train" tokenizer --out "$tmp/tokenizer" --vocab 500 \
  > "$tmp/train.log" 2> "$tmp/train.ld.log" ||
  { cat "$tmp/train.log" "$tmp/train.ld.log" >&2; fail "hd-train tokenizer failed"; }
[ -s "$tmp/tokenizer/spiece.model" ] || fail "hd-train wrote no SentencePiece model"
spm_opened=$(grep -o "file=[^ ]*libhd_spm\.so" "$tmp/train.ld.log" | sort -u | sed 's/^file=//')
[ "$spm_opened" = "$(realpath "$root/lib/hd-studio/libhd_spm.so")" ] ||
  fail "hd-train loaded the SentencePiece module from '$spm_opened'"
echo "hd-train trained a tokenizer with $spm_opened"

if [ "$ui" = ON ]; then
  out=$("${run_env[@]}" QT_QPA_PLATFORM=offscreen "$root/bin/hd-studio" --version) ||
    fail "hd-studio --version failed"
  [ "$out" = "hd-studio $version" ] || fail "hd-studio --version printed '$out'"
  echo "$out"
fi
echo "PASS: $(basename "$deb") installs and runs"
