// Sparse twin of Transformer2DModel (same weights). A full pass is the dense computation
// plus caches: the GroupNorm affine, every block's self-attention keys/values of the whole
// map, the cross-attention keys/values of the text, and the output map. A partial pass runs
// the tokens of the active tiles only: their queries attend to the cached keys/values of
// all tokens (with their own keys/values refreshed in place), the feed-forward sees the
// active tokens, and proj_out + residual are scattered into the output map.
#pragma once

#include <vector>

#include "models/transformer_2d.h"
#include "sparse/tile_geometry.h"

namespace hd {

class SparseTransformer {
 public:
  // level: the UNet resolution it runs at (0 = latents), for PartProfile reports.
  explicit SparseTransformer(Transformer2DModel m, int level = -1) : m_(std::move(m)), level_(level) {}

  torch::Tensor forward_full(const torch::Tensor& x, const torch::Tensor& context);
  torch::Tensor forward_partial(const torch::Tensor& x, const torch::Tensor& context, const LevelGeometry& g);
  const torch::Tensor& output() const { return out_; }
  // Whether the last full pass allocated any cache anew (instead of refilling it).
  bool caches_moved() const { return moved_; }

 private:
  struct BlockCache {
    torch::Tensor k1, v1;  // [B, L, inner]: self-attention over the whole map (or the text)
    torch::Tensor k2, v2;  // [B, S, inner]: cross-attention over the text
  };
  torch::Tensor proj_in_tokens(const torch::Tensor& tokens);   // [B, L, C] -> [B, L, inner]
  torch::Tensor proj_out_tokens(const torch::Tensor& tokens);  // [B, L, inner] -> [B, L, C]

  Transformer2DModel m_;
  int level_;
  torch::Tensor scale_, shift_;  // [B, C]
  std::vector<BlockCache> caches_;
  torch::Tensor out_;            // [B, C, H, W]
  bool moved_ = false;
};

}  // namespace hd
