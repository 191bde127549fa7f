// Tensor-level helpers of the sparse engine: GroupNorm as a cached affine, tile gather and
// scatter (hd::kernels on CPU or CUDA), and convolutions on tile batches.
#pragma once

#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

namespace hd {

// GroupNorm(x) in one fused pass (as the dense UNet computes it) and the same normalisation
// as a per-sample, per-channel affine map for partial steps: normed == x * scale + shift.
struct NormAffine {
  torch::Tensor normed;  // [B, C, ...] GroupNorm(x), x's memory format
  torch::Tensor scale;   // [B, C] float32
  torch::Tensor shift;   // [B, C] float32
};
NormAffine group_norm_affine(const torch::Tensor& x, torch::nn::GroupNorm& norm);
// x * scale + shift for x [B, C, H, W] or [B, C, L], in x's dtype.
torch::Tensor apply_affine(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& shift);

struct GatherSource {
  torch::Tensor map;    // [B, C, H, W] full map
  torch::Tensor scale;  // [B, C] or undefined
  torch::Tensor shift;  // [B, C] or undefined
};

// Windows of size `window` at origins (ys + offset_y, xs + offset_x) from one or more maps
// concatenated along channels -> [B * N, sum C, window, window]. upsample: read the maps as
// if nearest-upsampled by that factor.
torch::Tensor gather_tiles(const std::vector<GatherSource>& sources, const std::vector<int32_t>& ys,
                           const std::vector<int32_t>& xs, int64_t offset, int64_t window,
                           bool silu, int upsample = 1, int64_t stride = 1);

// What gather_tiles({{map, scale, shift}}, ys, xs, offset, window, silu) would return after
// scatter_tiles(tiles, {}, ys, xs, map), without writing `map`: the windows read the new
// tiles [B * N, C, t, t] where they were computed and `map` elsewhere (the fused
// scatter-gather of SIGE). The tiles must sit on the grid of their size (block grids do).
torch::Tensor scatter_gather_tiles(const torch::Tensor& tiles, const torch::Tensor& map,
                                   const torch::Tensor& scale, const torch::Tensor& shift,
                                   const std::vector<int32_t>& ys, const std::vector<int32_t>& xs,
                                   int64_t offset, int64_t window, bool silu);

// Writes tiles [B * N, C, t, t] (+ residual tiles) * scale into `out` [B, C, H, W] in place.
void scatter_tiles(const torch::Tensor& tiles, const torch::Tensor& residual,
                   const std::vector<int32_t>& ys, const std::vector<int32_t>& xs,
                   torch::Tensor& out, float scale = 1.0f);

// Stores a full pass's `value` in `cache`. A cache already holding a tensor of the same shape,
// dtype, device and strides gets the values copied in: caches keep their storage from one
// full pass to the next, so CUDA graphs captured over partial passes stay valid. Returns
// whether the cache moved (was allocated anew).
bool keep_cache(torch::Tensor& cache, const torch::Tensor& value);

// The sparse engine keeps every map channels-last: a pixel's channels are contiguous, which
// makes tile gathers vector copies and suits oneDNN/cuDNN convolutions.
constexpr auto kSparseFormat = at::MemoryFormat::ChannelsLast;
// [B, C, H, W] (channels-last) <-> [B, H*W, C] tokens, as views.
torch::Tensor to_tokens(const torch::Tensor& map);
torch::Tensor from_tokens(const torch::Tensor& tokens, int64_t height, int64_t width);
// Converts every 4-D parameter (convolution weights) of `module` to channels-last, in place.
void convolutions_to_channels_last(torch::nn::Module& module);

// The module's convolution on a batch of windows, without padding (the windows carry the
// halo), counting MACs.
torch::Tensor conv_tiles(torch::nn::Conv2d& conv, const torch::Tensor& windows);

}  // namespace hd
