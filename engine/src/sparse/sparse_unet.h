// Sparse twin of UNet2DConditionModel: the same weights run in two modes.
//   full:    the dense forward, refreshing every layer's caches;
//   partial: only the active tiles of each level (SparseGeometry) are recomputed; every
//            other pixel keeps the value of the last full pass.
// Full and partial passes must see the same batch size (2 with classifier-free guidance).
#pragma once

#include <memory>
#include <vector>

#include "models/unet_2d_condition.h"
#include "sparse/sparse_resnet.h"
#include "sparse/sparse_transformer.h"
#include "sparse/tile_geometry.h"

namespace hd {

class SparseUNet {
 public:
  explicit SparseUNet(UNet2DConditionModel unet);

  // sample [B, C, h, w], timestep [] or [B], context [B, S, D] -> noise prediction [B, C, h, w].
  torch::Tensor forward_full(const torch::Tensor& sample, const torch::Tensor& timestep,
                             const torch::Tensor& context);
  // The returned tensor is the output cache, updated in place: copy it to keep it. Under a
  // dry-run MacScope it counts MACs and writes no cache.
  torch::Tensor forward_partial(const torch::Tensor& sample, const torch::Tensor& timestep,
                                const torch::Tensor& context, const SparseGeometry& geometry);

  int levels() const { return static_cast<int>(unet_->config().block_out_channels.size()); }
  bool has_cache() const { return has_cache_; }
  // Counts the full passes that allocated some cache anew; between them, full passes refill the
  // caches in place (same storage), so a CUDA graph of partial passes stays valid.
  int64_t cache_generation() const { return cache_generation_; }
  void clear();

 private:
  struct Sampler {  // a Downsample2D or Upsample2D with its output cache
    torch::nn::Conv2d* conv = nullptr;
    torch::Tensor out;
  };
  torch::Tensor time_embedding(const torch::Tensor& timestep, const torch::Tensor& sample);

  UNet2DConditionModel unet_;
  // Mirrors of the blocks: per down/up block, its resnets and (optional) transformers.
  struct Block {
    std::vector<SparseResnet> resnets;
    std::vector<SparseTransformer> attentions;
    Sampler sampler;
    bool has_sampler = false;
  };
  std::vector<Block> down_, up_;
  Block mid_;
  torch::Tensor conv_in_out_;              // conv_in output cache
  torch::Tensor norm_out_scale_, norm_out_shift_;
  torch::Tensor out_;                      // conv_out output cache
  bool has_cache_ = false;
  int64_t cache_generation_ = 0;
};

}  // namespace hd
