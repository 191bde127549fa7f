// Sparse twin of ResnetBlock2D (same weights). A full pass is the dense computation plus
// caches: GroupNorm affines, conv1's output (before the time embedding) and the block's
// output. A partial pass recomputes the active tiles only:
//   gather(GN1 affine + SiLU) -> conv1 -> scatter into the conv1 map
//   gather(GN2 affine with the current step's time embedding folded in + SiLU) -> conv2
//   -> scatter with the shortcut of the same tiles into the output map.
// When every tile of the level is active, the same steps run on whole maps (padded
// convolutions, no gathers).
// Halo pixels outside active tiles come from the caches of the last full pass (SIGE's
// approximation). The time embedding is recomputed every step, as partial steps run at
// their own timestep.
#pragma once

#include <vector>

#include "models/resnet.h"
#include "sparse/tile_geometry.h"

namespace hd {

class SparseResnet {
 public:
  // level: the UNet resolution it runs at (0 = latents), for PartProfile reports.
  explicit SparseResnet(ResnetBlock2D block, int level = -1) : m_(std::move(block)), level_(level) {}

  // inputs: one map, or two concatenated along channels (up blocks: hidden state + skip).
  torch::Tensor forward_full(const std::vector<torch::Tensor>& inputs, const torch::Tensor& temb);
  torch::Tensor forward_partial(const std::vector<torch::Tensor>& inputs, const torch::Tensor& temb,
                                const LevelGeometry& g);
  // MACs of a partial pass per active output pixel (batch 1).
  int64_t macs_per_pixel() const;
  const torch::Tensor& output() const { return out_; }
  // Whether the last full pass allocated any cache anew (instead of refilling it).
  bool caches_moved() const { return moved_; }

 private:
  // GN2 affine for the current time embedding: [B, C] scale and shift.
  std::pair<torch::Tensor, torch::Tensor> norm2_affine(const torch::Tensor& temb);
  // A partial pass whose tiles cover the map: the same arithmetic on whole maps.
  torch::Tensor forward_partial_dense(const std::vector<torch::Tensor>& inputs,
                                      const torch::Tensor& temb);

  ResnetBlock2D m_;
  int level_;
  torch::Tensor scale1_, shift1_;  // [B, Cin]
  torch::Tensor scale2_, shift2_;  // [B, Cout]
  torch::Tensor h1_;               // [B, Cout, H, W] conv1 output, no time embedding
  torch::Tensor out_;              // [B, Cout, H, W]
  bool moved_ = false;
};

}  // namespace hd
