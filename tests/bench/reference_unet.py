#!/usr/bin/env python3
"""This project's UNet steps against the reference implementation, side by side in one run.

Times one guided UNet step (batch 2) of diffusers' UNet2DConditionModel built from the same
config (random weights; timing does not depend on their values) in PyTorch eager, NCHW and
channels-last, at the best attention processor diffusers picks (SDPA), then runs
`hd bench masks` on the same machine for the same config and size, and reports the ratios:
hd's dense (full) step against diffusers', hd's partial steps at each mask area, and the
whole 50-step schedule of Highlight Diffusion (10 dense + 9 full + 31 partial steps) against
50 diffusers steps. The reference is timed before and after hd and the faster run is kept.

  python3 tests/bench/reference_unet.py --hd build/app/hd --config hd-shapes --out bench-ref
  python3 tests/bench/reference_unet.py --config sd-v1-4 --size 256 --areas 5,20,50 --out bench-ref-sd
  python3 tests/bench/reference_unet.py --config sd-v1-4 --size 256 --precision bf16 --out bench-ref-bf16

With --precision bf16 (or fp16) both sides run the UNet in that dtype (diffusers: the whole
model cast, inputs too; hd: `--precision`).

Needs torch and diffusers (pip); developer tool, not part of the build or the tests.
"""
import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from diffusers import UNet2DConditionModel

ROOT = Path(__file__).resolve().parents[2]


def time_reference(unet, sample, t, ctx, repeats):
    ms = []
    with torch.no_grad():
        for i in range(repeats + 1):  # the first run warms up
            t0 = time.perf_counter()
            unet(sample, t, encoder_hidden_states=ctx)
            if sample.is_cuda:
                torch.cuda.synchronize()
            if i:
                ms.append(1000 * (time.perf_counter() - t0))
    ms.sort()
    return ms[len(ms) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hd", default=str(ROOT / "build" / "app" / "hd"), help="hd binary")
    ap.add_argument("--config", default="hd-shapes", help="bundled config name (resources/configs/NAME)")
    ap.add_argument("--size", type=int, default=0, help="image size (default: the config's)")
    ap.add_argument("--areas", default="5,20,50", help="mask areas in percent")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"], help="UNet dtype on both sides")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    cfg_dir = ROOT / "resources" / "configs" / a.config
    unet_cfg = json.loads((cfg_dir / "unet" / "config.json").read_text())
    te_cfg = json.loads((cfg_dir / "text_encoder" / "config.json").read_text())
    vae_cfg = json.loads((cfg_dir / "vae" / "config.json").read_text())
    f = 2 ** (len(vae_cfg["block_out_channels"]) - 1)
    size = a.size or unet_cfg["sample_size"] * f
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[a.precision]
    unet = UNet2DConditionModel.from_config(unet_cfg).to(dev, dtype).eval()
    cross = unet_cfg["cross_attention_dim"]
    cross = cross[0] if isinstance(cross, list) else cross
    sample = torch.randn(2, unet_cfg["in_channels"], size // f, size // f, device=dev, dtype=dtype)
    ctx = torch.randn(2, te_cfg["max_position_embeddings"], cross, device=dev, dtype=dtype)
    t = torch.tensor(500, device=dev)

    def reference():
        out = {}
        unet.to(memory_format=torch.contiguous_format)
        out["nchw"] = time_reference(unet, sample, t, ctx, a.repeats)
        unet.to(memory_format=torch.channels_last)
        out["channels_last"] = time_reference(unet, sample.to(memory_format=torch.channels_last), t, ctx, a.repeats)
        return out

    before = reference()
    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [a.hd, "bench", "masks", "--config", a.config, "--size", str(size), "--areas", a.areas,
               "--repeats", str(a.repeats), "--threads", str(a.threads), "--device", a.device,
               "--precision", a.precision, "--out", tmp]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        rows = list(csv.DictReader(open(Path(tmp) / "masks.csv")))
        hd_summary = (Path(tmp) / "summary.md").read_text()
    after = reference()
    ref = {k: min(before[k], after[k]) for k in before}
    best = min(ref.values())

    steps, full, partial = 50, 19, 31  # the paper's schedule (collection at 20%, interval 5)
    lines = [
        "# hd against diffusers: one guided UNet step (batch 2)", "",
        "```",
        f"command: {' '.join(sys.argv)}",
        f"config {a.config}, image {size}x{size}, latents {size // f}x{size // f}, UNet dtype {a.precision}",
        f"torch {torch.__version__}, diffusers {__import__('diffusers').__version__}, "
        f"{torch.get_num_threads()} threads, device {a.device} ({platform.processor() or platform.machine()})",
        "```", "",
        "| implementation | step |", "|---|---|",
        f"| diffusers, NCHW | {ref['nchw']:.1f} ms (before hd {before['nchw']:.1f}, after {after['nchw']:.1f}) |",
        f"| diffusers, channels-last | {ref['channels_last']:.1f} ms (before hd {before['channels_last']:.1f}, "
        f"after {after['channels_last']:.1f}) |",
        f"| hd, dense mode (plain UNet forward) | {float(rows[0]['dense_ms']):.1f} ms |",
        f"| hd, highlight full step (dense, keeping caches) | {float(rows[0]['full_ms']):.1f} ms |", "",
        "| mask | hd full step | hd partial step | partial vs diffusers' best step | "
        f"{steps}-step schedule vs {steps} diffusers steps |",
        "|---|---|---|---|---|",
    ]
    csv_rows = []
    for r in rows:
        fm, pm = float(r["full_ms"]), float(r["partial_ms"])
        schedule = steps * best / (full * fm + partial * pm)
        lines.append(f"| {float(r['area_pct']):.0f}% | {fm:.1f} ms ({best / fm:.2f}x) | {pm:.1f} ms | "
                     f"{best / pm:.2f}x | {schedule:.2f}x |")
        csv_rows.append({"area_pct": r["area_pct"], "diffusers_ms": best, "hd_dense_ms": float(r["dense_ms"]), "hd_full_ms": fm, "hd_partial_ms": pm,
                         "full_vs_diffusers": best / fm, "partial_vs_diffusers": best / pm,
                         "schedule_vs_diffusers": schedule})
    lines += ["", "hd's own report from the same run:", "", hd_summary]
    text = "\n".join(lines) + "\n"
    (out_dir / "summary.md").write_text(text)
    with open(out_dir / "reference.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(csv_rows[0]))
        w.writeheader()
        w.writerows(csv_rows)
    print(text)


if __name__ == "__main__":
    main()
