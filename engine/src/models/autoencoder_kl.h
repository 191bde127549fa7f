// AutoencoderKL (diffusers models/autoencoders/autoencoder_kl.py).
#pragma once

#include <torch/nn/module.h>

#include "models/vae.h"

namespace hd {

class JsonConfig;

VaeConfig vae_config_from_json(const JsonConfig& config);

class AutoencoderKLImpl : public torch::nn::Module {
 public:
  explicit AutoencoderKLImpl(const VaeConfig& config);

  struct Posterior {
    torch::Tensor mean;     // [B, latent, h, w]
    torch::Tensor logvar;   // [B, latent, h, w], clamped to [-30, 20]
  };
  Posterior encode(const torch::Tensor& image);  // image [B, 3, H, W] in [-1, 1]
  torch::Tensor decode(const torch::Tensor& z);  // unscaled latents -> [B, 3, H, W]

  // Between the VAE's latents z and the diffusion model's latents, by the config's
  // scaling_factor and shift_factor or per-channel latents_mean / latents_std:
  //   to_diffusion:   (z - mean) * scaling_factor / std       z [B, C, h, w]
  //   from_diffusion: latents * std / scaling_factor + mean
  torch::Tensor to_diffusion_latents(const torch::Tensor& z) const;
  torch::Tensor from_diffusion_latents(const torch::Tensor& latents) const;

  // Spatial downsampling factor between image and latents (2^(levels-1)).
  int64_t scale_factor() const;
  const VaeConfig& config() const { return config_; }

  Encoder encoder{nullptr};
  Decoder decoder{nullptr};
  torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};

 private:
  VaeConfig config_;
};
TORCH_MODULE(AutoencoderKL);

}  // namespace hd
