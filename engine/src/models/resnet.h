// ResnetBlock2D, Downsample2D, Upsample2D (diffusers models/resnet.py, downsampling.py,
// upsampling.py).
#pragma once

#include <optional>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/activations.h"

namespace hd {

struct ResnetBlock2DOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;      // 0: same as in_channels
  int64_t temb_channels = 512;   // 0: no time embedding (VAE)
  int64_t groups = 32;
  double eps = 1e-6;
  Activation act = Activation::kSilu;
  bool scale_shift = false;      // time_embedding_norm "scale_shift" instead of "default"
  double output_scale_factor = 1.0;
  bool conv_shortcut_bias = true;
};

class ResnetBlock2DImpl : public torch::nn::Module {
 public:
  explicit ResnetBlock2DImpl(const ResnetBlock2DOptions& options);
  // x: [B, Cin, H, W], temb: [B, temb_channels] or undefined -> [B, Cout, H, W]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});

  const ResnetBlock2DOptions& options() const { return options_; }

  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
  torch::nn::Linear time_emb_proj{nullptr};

 private:
  ResnetBlock2DOptions options_;
};
TORCH_MODULE(ResnetBlock2D);

// Strided 3x3 convolution. padding 0 pads right and bottom by one first (VAE encoder).
class Downsample2DImpl : public torch::nn::Module {
 public:
  Downsample2DImpl(int64_t channels, int64_t out_channels, int64_t padding);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, H, W] -> [B, Cout, H/2, W/2]

  torch::nn::Conv2d conv{nullptr};

 private:
  int64_t padding_;
};
TORCH_MODULE(Downsample2D);

// Nearest 2x (or to `size`) then a 3x3 convolution.
class Upsample2DImpl : public torch::nn::Module {
 public:
  Upsample2DImpl(int64_t channels, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x,
                        std::optional<std::vector<int64_t>> size = std::nullopt);

  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

// GroupNorm and Conv2d factories with diffusers' defaults.
torch::nn::GroupNorm make_group_norm(int64_t groups, int64_t channels, double eps);
torch::nn::Conv2d make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                            int64_t padding = -1, bool bias = true);

}  // namespace hd
