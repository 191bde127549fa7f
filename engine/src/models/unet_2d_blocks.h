// The UNet's down, mid and up blocks (diffusers models/unets/unet_2d_blocks.py).
//
// CrossAttnDownBlock2D / DownBlock2D / DownEncoderBlock2D share one implementation
// (DownBlock2DImpl) that has `attentions` only when the type has cross-attention; the
// same holds for the up blocks. Attribute names are diffusers' (resnets, attentions,
// downsamplers, upsamplers), so checkpoints load by name.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include "models/attention_processor.h"
#include "models/resnet.h"
#include "models/transformer_2d.h"

namespace hd {

struct BlockOptions {
  std::string type;
  int64_t num_layers = 1;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t prev_output_channel = 0;  // up blocks: channels coming from the block below
  int64_t temb_channels = 0;        // 0: no time embedding (VAE)
  bool add_sample_step = false;     // add_downsample / add_upsample
  double resnet_eps = 1e-5;
  Activation act = Activation::kSilu;
  int64_t resnet_groups = 32;
  int64_t cross_attention_dim = 0;
  int64_t num_attention_heads = 8;
  int64_t transformer_layers = 1;
  bool use_linear_projection = false;
  bool only_cross_attention = false;
  int64_t downsample_padding = 1;
  double output_scale_factor = 1.0;
  bool scale_shift = false;
  int64_t attention_head_dim = 0;   // VAE mid block attention: channels per head
};

class DownBlock2DImpl : public torch::nn::Module {
 public:
  DownBlock2DImpl(const BlockOptions& options, bool with_attention);
  // Appends each resnet's (and the downsampler's) output to `res_samples`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb,
                        const torch::Tensor& context, std::vector<torch::Tensor>& res_samples);

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, downsamplers{nullptr};
  std::vector<ResnetBlock2D> resnet_list;
  std::vector<Transformer2DModel> attention_list;
  Downsample2D downsampler{nullptr};
};
TORCH_MODULE(DownBlock2D);

class UpBlock2DImpl : public torch::nn::Module {
 public:
  // with_skips: concatenates skip connections (UNet); UpDecoderBlock2D has none.
  UpBlock2DImpl(const BlockOptions& options, bool with_attention, bool with_skips);
  // Pops one skip tensor per resnet from the back of `res_samples`.
  torch::Tensor forward(const torch::Tensor& x, std::vector<torch::Tensor>& res_samples,
                        const torch::Tensor& temb, const torch::Tensor& context,
                        std::optional<std::vector<int64_t>> upsample_size = std::nullopt);

  int64_t num_resnets() const { return static_cast<int64_t>(resnet_list.size()); }

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, upsamplers{nullptr};
  std::vector<ResnetBlock2D> resnet_list;
  std::vector<Transformer2DModel> attention_list;
  Upsample2D upsampler{nullptr};

 private:
  bool with_skips_;
};
TORCH_MODULE(UpBlock2D);

// resnets.0 -> (attentions.i -> resnets.i+1)*. Cross-attention transformers in the UNet
// (UNetMidBlock2DCrossAttn); spatial self-attention in the VAE (UNetMidBlock2D).
class MidBlock2DImpl : public torch::nn::Module {
 public:
  MidBlock2DImpl(const BlockOptions& options, bool cross_attention);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb,
                        const torch::Tensor& context);

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};
  std::vector<ResnetBlock2D> resnet_list;
  std::vector<Transformer2DModel> transformer_list;  // UNet
  std::vector<Attention> attention_list;             // VAE
};
TORCH_MODULE(MidBlock2D);

// Factories by diffusers type name; unknown names are an error "<type> does not exist".
DownBlock2D get_down_block(const BlockOptions& options);
UpBlock2D get_up_block(const BlockOptions& options);
MidBlock2D get_mid_block(const BlockOptions& options);

}  // namespace hd
