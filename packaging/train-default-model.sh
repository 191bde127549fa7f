#!/bin/bash
# Trains the embedded default model (hd-shapes) with hd-train and exports it.
#
#   packaging/train-default-model.sh [--device cuda|cpu] [--work DIR] [--out DIR]
#                                    [--vae-seconds S] [--unet-seconds S] [--decoder-seconds S]
#
# Stages (each resumes from its checkpoint under --work when run again): tokenizer, VAE,
# UNet + text encoder, VAE decoder fine-tune (encoder frozen, so the UNet's latent space
# stays valid), export (fp16 diffusers folder). With a time budget a stage shortens its
# step count to end in time and prints the total it chose, so a run can be repeated with
# the same --steps. On a GPU the default budgets (2 + 8 + 1 minutes) train the shipped model;
# on this project's 2-core CPU, give each stage hours (see README).
set -euo pipefail

device=cuda work=ckpt out=resources/models/hd-shapes
vae_s=120 unet_s=480 dec_s=60
bin=${HD_TRAIN:-build/app/hd-train}
while [ $# -gt 0 ]; do
  case $1 in
    --device) device=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --vae-seconds) vae_s=$2; shift 2 ;;
    --unet-seconds) unet_s=$2; shift 2 ;;
    --decoder-seconds) dec_s=$2; shift 2 ;;
    *) echo "train-default-model.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
# UNet batches: scenes x 2 noise draws (the VAE encodes each scene once).
if [ "$device" = cuda ]; then batch=128 vae_batch=32 precision=bf16; else batch=4 vae_batch=8 precision=bf16; fi
mkdir -p "$work"

[ -f "$work/tokenizer/spiece.model" ] || "$bin" tokenizer --out "$work/tokenizer" --vocab 500
"$bin" vae --device "$device" --checkpoint "$work/vae.ckpt" --steps 100000 --batch "$vae_batch" \
  --crop 0 --time-budget "$vae_s" --save-every 500
"$bin" unet --device "$device" --vae "$work/vae.ckpt" --tokenizer "$work/tokenizer" \
  --checkpoint "$work/unet.ckpt" --steps 100000 --batch "$batch" --noise-draws 2 --lr 4e-4 \
  --precision "$precision" --grounding 0.02 --object-weight 2 \
  --timestep-bias later --timestep-bias-multiplier 3 --timestep-bias-portion 0.4 \
  --time-budget "$unet_s" --save-every 500 \
  --weights-out "$work/unet-weights.ckpt"
"$bin" vae --device "$device" --decoder-only "$work/vae.ckpt" --checkpoint "$work/vae-decoder.ckpt" \
  --steps 100000 --batch "$vae_batch" --crop 0 --lr 3e-4 --time-budget "$dec_s" --save-every 500
"$bin" eval-vae --checkpoint "$work/vae-decoder.ckpt"
"$bin" export --vae "$work/vae-decoder.ckpt" --unet "$work/unet-weights.ckpt" \
  --tokenizer "$work/tokenizer" --out "$out"
echo "exported $out"
