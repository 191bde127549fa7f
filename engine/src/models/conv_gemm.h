// 3x3 (or 1x1) convolutions as im2col + one GEMM, for wide layers on small maps on CPUs.
//
// oneDNN re-packs a convolution's weights on every call; for the 1280-channel layers of
// Stable Diffusion's deepest levels (9x1280x1280 weights on 4x4..8x8 maps) that costs more
// than the arithmetic. Measured on this project's 2-core CPU (torch 2.15, channels-last,
// batch 2): 1280 channels at 4x4 3.2x faster as GEMM, 8x8 1.6x, 16x16 1.1x; 320-640
// channels are faster in oneDNN at every size. In bfloat16 the same route took SD v1.4's dense
// step at 256 from 1218-1309 to 1101-1106 ms (the 8x8 level's resnets 128-146 -> 48 ms).
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/types.h>

namespace hd {

// conv's output for x [B, Cin, H, W] without padding (x carries any halo): im2col + GEMM.
// Needs dilation 1 and groups 1. The result is channels-last [B, Cout, H', W'].
torch::Tensor conv2d_gemm(torch::nn::Conv2d& conv, const torch::Tensor& x);

// Whether conv on a CPU map of `pixels` output positions per image takes the GEMM route
// (float32 or bfloat16, channels-last weights, wide input, small map).
bool prefer_conv_gemm(const torch::nn::Conv2d& conv, const torch::Tensor& x, int64_t pixels);

}  // namespace hd
