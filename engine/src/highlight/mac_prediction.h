// Predicted cost of a partial step for a mask: a dry run (MACs counted, nothing computed)
// of a full and a partial pass of a scratch SparseUNet, or of a partial pass only on a
// SparseUNet that has just run a full pass.
#pragma once

#include "models/unet_2d_condition.h"
#include "sparse/sparse_unet.h"
#include "sparse/tile_geometry.h"

namespace hd {

struct MacPrediction {
  double dense = 0;    // one full pass (the batch given)
  double partial = 0;  // one partial pass with the geometry
  double fraction() const { return dense > 0 ? partial / dense : 1.0; }
};

// latent: [B, C, h, w] shape; context: [B, S, D] shape.
MacPrediction predict_macs(UNet2DConditionModel& unet, const SparseGeometry& geometry,
                           c10::IntArrayRef latent_shape, c10::IntArrayRef context_shape);
// The same after a full pass of `sparse` on inputs like these, whose counted MACs are `dense`:
// only the partial pass runs dry, on sparse's caches, which it leaves as they are (the dense
// dry run through full-size maps was most of the cost: 40 ms of CPU time on the embedded model).
MacPrediction predict_macs(SparseUNet& sparse, const SparseGeometry& geometry,
                           const torch::Tensor& sample, const torch::Tensor& timestep,
                           const torch::Tensor& context, double dense);

}  // namespace hd
