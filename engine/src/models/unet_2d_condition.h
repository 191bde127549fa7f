// UNet2DConditionModel (diffusers models/unets/unet_2d_condition.py), the SD 1.x/2.x subset:
// positional timestep embedding, cross-attention down/mid/up blocks, no class or added
// embeddings. Built from unet/config.json; unsupported options are refused by name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include "models/attention_processor.h"
#include "models/embeddings.h"
#include "models/unet_2d_blocks.h"

namespace hd {

class JsonConfig;

struct UNet2DConditionConfig {
  int64_t sample_size = 64;
  int64_t in_channels = 4;
  int64_t out_channels = 4;
  bool center_input_sample = false;
  bool flip_sin_to_cos = true;
  double freq_shift = 0;
  std::vector<std::string> down_block_types = {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                               "CrossAttnDownBlock2D", "DownBlock2D"};
  std::string mid_block_type = "UNetMidBlock2DCrossAttn";  // "" for none
  std::vector<std::string> up_block_types = {"UpBlock2D", "CrossAttnUpBlock2D",
                                             "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"};
  std::vector<int64_t> block_out_channels = {320, 640, 1280, 1280};
  std::vector<int64_t> layers_per_block = {2, 2, 2, 2};
  std::vector<bool> only_cross_attention = {false, false, false, false};
  int64_t downsample_padding = 1;
  double mid_block_scale_factor = 1.0;
  std::string act_fn = "silu";
  int64_t norm_num_groups = 32;
  double norm_eps = 1e-5;
  std::vector<int64_t> cross_attention_dim = {1280, 1280, 1280, 1280};
  std::vector<int64_t> transformer_layers_per_block = {1, 1, 1, 1};
  // Heads per level. SD 1.x configs give attention_head_dim = 8 and mean 8 heads (a
  // diffusers quirk kept for compatibility): num_attention_heads falls back to it.
  std::vector<int64_t> num_attention_heads = {8, 8, 8, 8};
  bool use_linear_projection = false;
  bool upcast_attention = false;  // only changes fp16 numerics; fp32 here
  bool resnet_scale_shift = false;
  int64_t conv_in_kernel = 3;
  int64_t conv_out_kernel = 3;
  int64_t time_embedding_dim = 0;  // 0: 4 * block_out_channels[0]

  static UNet2DConditionConfig from_json(const JsonConfig& config);
};

class UNet2DConditionModelImpl : public torch::nn::Module {
 public:
  explicit UNet2DConditionModelImpl(const UNet2DConditionConfig& config);

  // sample: [B, in, H, W]; timestep: [] or [B] (any dtype); encoder_hidden_states: [B, S, D]
  // -> [B, out, H, W]
  torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                        const torch::Tensor& encoder_hidden_states);

  // Every Attention module by its state-dict path (e.g. "down_blocks.0.attentions.0.
  // transformer_blocks.0.attn2"), in a stable order.
  std::vector<std::pair<std::string, Attention>> attention_layers();
  // One processor for all attention layers, or one per path; a map must name every layer.
  void set_attn_processor(std::shared_ptr<AttentionProcessor> processor);
  void set_attn_processor(const std::map<std::string, std::shared_ptr<AttentionProcessor>>& map);

  const UNet2DConditionConfig& config() const { return config_; }

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  TimestepEmbedding time_embedding{nullptr};
  torch::nn::ModuleList down_blocks{nullptr}, up_blocks{nullptr};
  std::vector<DownBlock2D> down_list;
  std::vector<UpBlock2D> up_list;
  MidBlock2D mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  UNet2DConditionConfig config_;
  Activation act_;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace hd
