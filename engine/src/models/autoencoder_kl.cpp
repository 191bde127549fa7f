#include "models/autoencoder_kl.h"

#include "common/error.h"
#include "io/json_config.h"
#include "models/macs.h"

namespace hd {

VaeConfig vae_config_from_json(const JsonConfig& c) {
  VaeConfig v;
  v.in_channels = c.get_int("in_channels", 3);
  v.out_channels = c.get_int("out_channels", 3);
  v.latent_channels = c.get_int("latent_channels", 4);
  v.down_block_types = c.get_string_list("down_block_types", v.down_block_types);
  v.up_block_types = c.get_string_list("up_block_types", v.up_block_types);
  auto boc = c.get_int_list("block_out_channels", {64});
  v.block_out_channels.assign(boc.begin(), boc.end());
  v.layers_per_block = c.get_int("layers_per_block", 1);
  v.act_fn = c.get_string("act_fn", "silu");
  v.norm_num_groups = c.get_int("norm_num_groups", 32);
  v.sample_size = c.get_int("sample_size", 32);
  v.scaling_factor = c.get_double("scaling_factor", 0.18215);
  v.shift_factor = c.get_double("shift_factor", 0.0);
  v.use_quant_conv = c.get_bool("use_quant_conv", true);
  v.use_post_quant_conv = c.get_bool("use_post_quant_conv", true);
  v.mid_block_add_attention = c.get_bool("mid_block_add_attention", true);
  if (v.down_block_types.size() != v.block_out_channels.size() ||
      v.up_block_types.size() != v.block_out_channels.size()) {
    fail(c.origin(), ": block_out_channels has ", v.block_out_channels.size(),
         " entries but down_block_types has ", v.down_block_types.size(), " and up_block_types ",
         v.up_block_types.size());
  }
  v.latents_mean = c.get_double_list("latents_mean", {});
  v.latents_std = c.get_double_list("latents_std", {});
  if (v.latents_mean.empty() != v.latents_std.empty()) {
    fail(c.origin(), ": latents_mean and latents_std must be given together (got only ",
         v.latents_mean.empty() ? "latents_std" : "latents_mean", ")");
  }
  for (const char* key : {"latents_mean", "latents_std"}) {
    const auto& list = std::string(key) == "latents_mean" ? v.latents_mean : v.latents_std;
    if (!list.empty() && static_cast<int64_t>(list.size()) != v.latent_channels) {
      fail(c.origin(), ": ", key, " has ", list.size(), " entries but latent_channels is ", v.latent_channels);
    }
  }
  for (double s : v.latents_std) {
    if (!(s > 0)) fail(c.origin(), ": latents_std entries must be positive, got ", s);
  }
  if (!(v.scaling_factor > 0)) fail(c.origin(), ": scaling_factor must be positive, got ", v.scaling_factor);
  return v;
}

AutoencoderKLImpl::AutoencoderKLImpl(const VaeConfig& config) : config_(config) {
  encoder = register_module("encoder", Encoder(config));
  decoder = register_module("decoder", Decoder(config));
  const int64_t l = config.latent_channels;
  if (config.use_quant_conv) quant_conv = register_module("quant_conv", make_conv(2 * l, 2 * l, 1, 1, 0));
  if (config.use_post_quant_conv) post_quant_conv = register_module("post_quant_conv", make_conv(l, l, 1, 1, 0));
}

AutoencoderKLImpl::Posterior AutoencoderKLImpl::encode(const torch::Tensor& image) {
  torch::Tensor moments = encoder->forward(image);
  if (quant_conv) moments = conv_forward(quant_conv, moments);  // [B, 2*latent, h, w]
  auto parts = moments.chunk(2, 1);
  return {parts[0], torch::clamp(parts[1], -30.0, 20.0)};
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& z) {
  torch::Tensor h = post_quant_conv ? conv_forward(post_quant_conv, z) : z;
  return decoder->forward(h);
}

namespace {

// [C] statistics as [1, C, 1, 1] on the device and dtype of `like`.
torch::Tensor channel_stats(const std::vector<double>& values, const torch::Tensor& like) {
  return torch::tensor(values, torch::kFloat64).to(like.device(), like.scalar_type()).view({1, -1, 1, 1});
}

}  // namespace

torch::Tensor AutoencoderKLImpl::to_diffusion_latents(const torch::Tensor& z) const {
  const VaeConfig& c = config_;
  if (c.latents_mean.empty()) return (z - c.shift_factor) * c.scaling_factor;
  return (z - channel_stats(c.latents_mean, z)) * c.scaling_factor / channel_stats(c.latents_std, z);
}

torch::Tensor AutoencoderKLImpl::from_diffusion_latents(const torch::Tensor& latents) const {
  const VaeConfig& c = config_;
  if (c.latents_mean.empty()) return latents / c.scaling_factor + c.shift_factor;
  return latents * channel_stats(c.latents_std, latents) / c.scaling_factor + channel_stats(c.latents_mean, latents);
}

int64_t AutoencoderKLImpl::scale_factor() const {
  return int64_t{1} << (config_.block_out_channels.size() - 1);
}

}  // namespace hd
