// Encoder and Decoder of the KL autoencoder (diffusers models/autoencoders/vae.py).
#pragma once

#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include "models/unet_2d_blocks.h"

namespace hd {

struct VaeConfig {
  int64_t in_channels = 3;
  int64_t out_channels = 3;
  int64_t latent_channels = 4;
  std::vector<std::string> down_block_types = {"DownEncoderBlock2D"};
  std::vector<std::string> up_block_types = {"UpDecoderBlock2D"};
  std::vector<int64_t> block_out_channels = {64};
  int64_t layers_per_block = 1;
  std::string act_fn = "silu";
  int64_t norm_num_groups = 32;
  int64_t sample_size = 32;
  double scaling_factor = 0.18215;
  double shift_factor = 0.0;
  // Per-channel latent statistics (diffusers' SDXL convention): when both are given the
  // diffusion latents are (z - mean) * scaling_factor / std, else (z - shift) * scaling_factor.
  std::vector<double> latents_mean, latents_std;
  bool use_quant_conv = true;
  bool use_post_quant_conv = true;
  bool mid_block_add_attention = true;
};

class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const VaeConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // [B, 3, H, W] -> [B, 2*latent, H/f, W/f]

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList down_blocks{nullptr};
  std::vector<DownBlock2D> down_list;
  MidBlock2D mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  Activation act_;
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(const VaeConfig& config);
  torch::Tensor forward(const torch::Tensor& z);  // [B, latent, h, w] -> [B, 3, h*f, w*f]

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList up_blocks{nullptr};
  std::vector<UpBlock2D> up_list;
  MidBlock2D mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  Activation act_;
};
TORCH_MODULE(Decoder);

}  // namespace hd
