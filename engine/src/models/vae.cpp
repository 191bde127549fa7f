#include "models/vae.h"

#include "common/error.h"
#include "models/macs.h"

namespace hd {
namespace {

BlockOptions vae_block(const VaeConfig& c, Activation act, const std::string& type) {
  BlockOptions o;
  o.type = type;
  o.temb_channels = 0;
  o.resnet_eps = 1e-6;
  o.act = act;
  o.resnet_groups = c.norm_num_groups;
  return o;
}

MidBlock2D make_mid(const VaeConfig& c, Activation act) {
  BlockOptions o = vae_block(c, act, "UNetMidBlock2D");
  o.in_channels = o.out_channels = c.block_out_channels.back();
  o.num_layers = c.mid_block_add_attention ? 1 : 0;
  o.attention_head_dim = c.block_out_channels.back();
  return get_mid_block(o);
}

}  // namespace

EncoderImpl::EncoderImpl(const VaeConfig& c)
    : act_(activation_from_name(c.act_fn, "vae config act_fn")) {
  conv_in = register_module("conv_in", make_conv(c.in_channels, c.block_out_channels[0], 3));
  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  int64_t output_channel = c.block_out_channels[0];
  for (size_t i = 0; i < c.down_block_types.size(); ++i) {
    BlockOptions o = vae_block(c, act_, c.down_block_types[i]);
    o.in_channels = output_channel;
    output_channel = c.block_out_channels[i];
    o.out_channels = output_channel;
    o.num_layers = c.layers_per_block;
    o.add_sample_step = i + 1 < c.down_block_types.size();
    o.downsample_padding = 0;
    down_list.push_back(get_down_block(o));
    down_blocks->push_back(down_list.back());
  }
  mid_block = register_module("mid_block", make_mid(c, act_));
  conv_norm_out = register_module(
      "conv_norm_out", make_group_norm(c.norm_num_groups, c.block_out_channels.back(), 1e-6));
  conv_out = register_module("conv_out",
                             make_conv(c.block_out_channels.back(), 2 * c.latent_channels, 3));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = conv_forward(conv_in, x);
  std::vector<torch::Tensor> unused;
  for (auto& block : down_list) {
    h = block->forward(h, {}, {}, unused);
    unused.clear();
  }
  h = mid_block->forward(h, {}, {});
  h = apply_activation(act_, conv_norm_out->forward(h));
  return conv_forward(conv_out, h);  // [B, 2*latent, h, w]: mean and log-variance
}

DecoderImpl::DecoderImpl(const VaeConfig& c)
    : act_(activation_from_name(c.act_fn, "vae config act_fn")) {
  const size_t n = c.block_out_channels.size();
  conv_in = register_module("conv_in", make_conv(c.latent_channels, c.block_out_channels.back(), 3));
  mid_block = register_module("mid_block", make_mid(c, act_));
  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  int64_t output_channel = c.block_out_channels.back();
  for (size_t i = 0; i < c.up_block_types.size(); ++i) {
    BlockOptions o = vae_block(c, act_, c.up_block_types[i]);
    o.in_channels = output_channel;
    output_channel = c.block_out_channels[n - 1 - i];
    o.out_channels = output_channel;
    o.num_layers = c.layers_per_block + 1;
    o.add_sample_step = i + 1 < c.up_block_types.size();
    up_list.push_back(get_up_block(o));
    up_blocks->push_back(up_list.back());
  }
  conv_norm_out = register_module(
      "conv_norm_out", make_group_norm(c.norm_num_groups, c.block_out_channels[0], 1e-6));
  conv_out = register_module("conv_out", make_conv(c.block_out_channels[0], c.out_channels, 3));
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& z) {
  torch::Tensor h = conv_forward(conv_in, z);
  h = mid_block->forward(h, {}, {});
  std::vector<torch::Tensor> no_skips;
  for (auto& block : up_list) h = block->forward(h, no_skips, {}, {});
  h = apply_activation(act_, conv_norm_out->forward(h));
  return conv_forward(conv_out, h);  // [B, 3, H, W] in about [-1, 1]
}

}  // namespace hd
