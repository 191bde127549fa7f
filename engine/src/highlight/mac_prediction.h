// Predicted cost of a partial step for a mask: a dry run (MACs counted, nothing computed)
// of a full and a partial pass of a scratch SparseUNet.
#pragma once

#include "models/unet_2d_condition.h"
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

}  // namespace hd
