// A cheap latent -> RGB preview for every step: a linear map fitted once per model by
// encoding flat-coloured images with the VAE (no decoder pass per step).
#pragma once

#include <torch/types.h>

#include "hd/engine.h"
#include "models/autoencoder_kl.h"

namespace hd {

class LatentPreview {
 public:
  // Fits on the VAE's own latents (scaled by its scaling_factor, as the pipeline's are).
  explicit LatentPreview(AutoencoderKL& vae);
  // latents [1, C, h, w] -> an h x w RGB image.
  Image render(const torch::Tensor& latents) const;

 private:
  torch::Tensor weight_;  // [C + 1, 3]
};

}  // namespace hd
