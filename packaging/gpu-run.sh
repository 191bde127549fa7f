#!/bin/bash
# Runs this tree's CUDA checks and jobs on a borrowed GPU machine with the kit of
# packaging/gpu-kit.sh (.devcarry/kit.tar.xz, carried along): from the repository root there,
#
#   bash packaging/gpu-run.sh test           the CUDA twin tests (kernels, CUDA graphs, sparse UNet,
#                                            few-query attention)
#   bash packaging/gpu-run.sh bench          SD v1.4 at 512 against mask area (fp32, fp16; and at
#                                            5/20/50% with HD_FEW_QUERY_ATTENTION=0), and
#                                            dense vs highlight on the embedded model (50 prompts;
#                                            eager and CUDA graphs, fp32 and fp16)
#   bash packaging/gpu-run.sh bench-prompts  the embedded model's part of bench only
#   bash packaging/gpu-run.sh exec PROGRAM ARGS...  one of the kit's programs (hd, hd-train, a test)
#   bash packaging/gpu-run.sh train SECONDS  continue the embedded model's UNet from the shipped
#                                            weights (or HD_TRAIN_INIT: a model folder or an
#                                            hd-train checkpoint) for SECONDS, export the EMA
#                                            weights, evaluate them on 200 held-out prompts;
#                                            HD_TRAIN_ARGS: more hd-train unet options
#
# Reports go to $OUT (the device tool brings back at most 8 files: each phase writes a log
# and tars of its report folders). HD_KIT: an unpacked kit to use instead; HD_PYTHON: the
# Python whose torch to use (default /opt/torch/.venv/bin/python3 where it exists, else python3).
# A dry run of the train phase on a machine without a GPU: HD_TRAIN_DEVICE=cpu,
# HD_TRAIN_BATCH=2 (default 128 scenes a step; a budgeted run takes at least 51 steps) and
# HD_EVAL_LIMIT=2 (default 200 prompts).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
phase=${1:-test}
out=${OUT:-/tmp/hd-gpu-out}
mkdir -p "$out"
exec > >(tee "$out/$phase.log") 2>&1
py=${HD_PYTHON:-python3}  # the Python whose torch the programs use
[ -z "${HD_PYTHON:-}" ] && [ -x /opt/torch/.venv/bin/python3 ] && py=/opt/torch/.venv/bin/python3
kit=${HD_KIT:-/tmp/hd-kit}
if [ ! -x "$kit/bin/hd" ]; then
  [ -f .devcarry/kit.tar.xz ] || { echo "gpu-run.sh: no .devcarry/kit.tar.xz (packaging/gpu-kit.sh makes it)" >&2; exit 1; }
  mkdir -p "$kit"
  "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' .devcarry/kit.tar.xz "$kit" || exit 1
fi
cat "$kit/VERSION"
# torch's libraries and NVIDIA's wheels (libcudart for the kernels) come from the machine.
libs=$("$py" -c '
import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
print(":".join([os.path.join(os.path.dirname(torch.__file__), "lib")] + sorted(glob.glob(site + "/nvidia/*/lib")) + sorted(glob.glob(site + "/nvidia/*/*/lib"))))')
export LD_LIBRARY_PATH="$kit/lib:$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export WNSEARCHDIR="$kit/wordnet" HD_RESOURCE_DIR="$PWD/resources" HD_TEST_DATA_DIR="$PWD/tests/fixtures/data"
bin=$kit/bin
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | sed 's/^/gpu: /'
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
status=0
run() {
  echo "+ $*"
  "$@" || { echo "gpu-run: failed ($?): $*"; status=1; }
}

case $phase in
  test)
    for t in test_gather_scatter test_gather_scatter_half test_kernel_twins test_partial_graph \
      test_sparse_unet; do
      run "$bin/$t" --gtest_brief=1
    done
    run "$bin/test_models" --gtest_brief=1 --gtest_filter='FewQueryAttention.*'
    ;;
  bench | bench-prompts)
    r=/tmp/hd-bench
    rm -rf "$r"
    if [ "$phase" = bench ]; then
      run "$bin/hd" bench masks --config sd-v1-4 --size 512 --device cuda --repeats 5 --out "$r/sd512-fp32"
      run "$bin/hd" bench masks --config sd-v1-4 --size 512 --device cuda --precision fp16 --repeats 5 --out "$r/sd512-fp16"
      # The same without the few-query attention path, side by side (same machine, same kit).
      HD_FEW_QUERY_ATTENTION=0 run "$bin/hd" bench masks --config sd-v1-4 --size 512 --device cuda --areas 5,20,50 \
        --repeats 5 --out "$r/sd512-fp32-sdpa"
      HD_FEW_QUERY_ATTENTION=0 run "$bin/hd" bench masks --config sd-v1-4 --size 512 --device cuda --areas 5,20,50 \
        --precision fp16 --repeats 5 --out "$r/sd512-fp16-sdpa"
    fi
    p=resources/prompts/hd-shapes-eval.txt
    run "$bin/hd" bench prompts --prompts $p --limit 50 --device cuda --no-cuda-graphs --out "$r/prompts-fp32"
    run "$bin/hd" bench prompts --prompts $p --limit 50 --device cuda --cuda-graphs --out "$r/prompts-fp32-graphs"
    run "$bin/hd" bench prompts --prompts $p --limit 50 --device cuda --precision fp16 --cuda-graphs --out "$r/prompts-fp16-graphs"
    tar -C "$r" -czf "$out/bench.tar.gz" .
    ;;
  exec)
    shift
    run "$bin/$1" "${@:2}"
    ;;
  train)
    seconds=${2:-300}
    dev=${HD_TRAIN_DEVICE:-cuda}
    w=/tmp/hd-train
    m=resources/models/hd-shapes
    mkdir -p "$w"
    # shellcheck disable=SC2086  # HD_TRAIN_ARGS is a list of options
    run "$bin/hd-train" unet --device "$dev" --vae $m --tokenizer $m/tokenizer --init "${HD_TRAIN_INIT:-$m}" \
      --checkpoint "$w/unet.ckpt" --steps 100000 --time-budget "$seconds" --batch "${HD_TRAIN_BATCH:-128}" --noise-draws 2 \
      --lr 2e-4 --precision bf16 --save-every 500 --grounding 0.1 --grounding-pixel 0.05 \
      --ground-positions --max-objects 2 --object-weight 2 --timestep-bias later \
      --timestep-bias-multiplier 3 --timestep-bias-portion 0.4 --position-every 4 \
      --position-grounding 1.0 --position-portion 0.1 --weights-out "$w/unet-weights.ckpt" \
      ${HD_TRAIN_ARGS:-}
    run "$bin/hd-train" export --vae $m --unet "$w/unet-weights.ckpt" --tokenizer $m/tokenizer \
      --out "$w/hd-shapes"
    run "$bin/hd-train" evaluate --device "$dev" --model "$w/hd-shapes" \
      --prompts resources/prompts/hd-shapes-eval.jsonl --limit "${HD_EVAL_LIMIT:-200}" --steps 50 \
      --out "$w/eval"
    tar -C "$w" -czf "$out/model.tar.gz" hd-shapes
    tar -C "$w" -czf "$out/eval.tar.gz" eval
    ;;
  *)
    echo "gpu-run.sh: unknown phase '$phase' (test, bench, bench-prompts, exec, train)" >&2
    exit 2
    ;;
esac
exit $status
