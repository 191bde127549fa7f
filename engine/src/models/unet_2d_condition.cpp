#include "models/unet_2d_condition.h"

#include "common/error.h"
#include "io/json_config.h"
#include "models/macs.h"

namespace hd {
namespace {

// Refuses options that change the architecture in ways this engine does not implement.
void refuse_unsupported(const JsonConfig& c) {
  const char* must_be_null[] = {"class_embed_type",      "addition_embed_type",
                                "encoder_hid_dim",       "encoder_hid_dim_type",
                                "num_class_embeds",      "time_cond_proj_dim",
                                "projection_class_embeddings_input_dim",
                                "timestep_post_act",     "time_embedding_act_fn",
                                "addition_time_embed_dim", "cross_attention_norm"};
  for (const char* key : must_be_null) {
    if (c.has(key) && !c.is_null(key)) {
      fail(c.origin(), ": key '", key, "' = ", c.raw().at(key).dump(), " is not supported");
    }
  }
  if (c.get_bool("dual_cross_attention", false)) fail(c.origin(), ": dual_cross_attention is not supported");
  if (c.get_bool("class_embeddings_concat", false)) fail(c.origin(), ": class_embeddings_concat is not supported");
  const std::string tet = c.get_string("time_embedding_type", "positional");
  if (tet != "positional") fail(c.origin(), ": time_embedding_type '", tet, "' is not supported");
  const std::string at = c.get_string("attention_type", "default");
  if (at != "default") fail(c.origin(), ": attention_type '", at, "' is not supported");
  if (c.has("transformer_layers_per_block") && c.raw().at("transformer_layers_per_block").is_array()) {
    for (const auto& v : c.raw().at("transformer_layers_per_block")) {
      if (!v.is_number_integer()) fail(c.origin(), ": nested transformer_layers_per_block is not supported");
    }
  }
}

std::vector<int64_t> to64(const std::vector<int>& v) { return {v.begin(), v.end()}; }

}  // namespace

UNet2DConditionConfig UNet2DConditionConfig::from_json(const JsonConfig& c) {
  refuse_unsupported(c);
  UNet2DConditionConfig u;
  u.sample_size = c.get_int("sample_size", 64);
  u.in_channels = c.get_int("in_channels", 4);
  u.out_channels = c.get_int("out_channels", 4);
  u.center_input_sample = c.get_bool("center_input_sample", false);
  u.flip_sin_to_cos = c.get_bool("flip_sin_to_cos", true);
  u.freq_shift = c.get_double("freq_shift", 0);
  u.down_block_types = c.get_string_list("down_block_types", u.down_block_types);
  u.up_block_types = c.get_string_list("up_block_types", u.up_block_types);
  u.mid_block_type = c.get_string("mid_block_type", "UNetMidBlock2DCrossAttn");
  u.block_out_channels = to64(c.get_int_list("block_out_channels", {320, 640, 1280, 1280}));
  const size_t n = u.block_out_channels.size();
  if (u.down_block_types.size() != n || u.up_block_types.size() != n) {
    fail(c.origin(), ": block_out_channels has ", n, " entries but down_block_types has ",
         u.down_block_types.size(), " and up_block_types ", u.up_block_types.size());
  }
  u.layers_per_block = to64(c.get_int_or_list("layers_per_block", n, std::vector<int>(n, 2)));
  u.cross_attention_dim = to64(c.get_int_or_list("cross_attention_dim", n, std::vector<int>(n, 1280)));
  u.transformer_layers_per_block = to64(c.get_int_or_list("transformer_layers_per_block", n, std::vector<int>(n, 1)));
  const std::string heads_key =
      c.has("num_attention_heads") && !c.is_null("num_attention_heads") ? "num_attention_heads"
                                                                        : "attention_head_dim";
  u.num_attention_heads = to64(c.get_int_or_list(heads_key, n, std::vector<int>(n, 8)));
  u.only_cross_attention.assign(n, false);
  if (c.has("only_cross_attention") && !c.is_null("only_cross_attention")) {
    const auto& v = c.raw().at("only_cross_attention");
    if (v.is_boolean()) {
      u.only_cross_attention.assign(n, v.get<bool>());
    } else if (v.is_array() && v.size() == n) {
      for (size_t i = 0; i < n; ++i) {
        if (!v[i].is_boolean()) fail(c.origin(), ": only_cross_attention must hold booleans");
        u.only_cross_attention[i] = v[i].get<bool>();
      }
    } else {
      fail(c.origin(), ": only_cross_attention must be a boolean or a list of ", n, " booleans");
    }
  }
  u.downsample_padding = c.get_int("downsample_padding", 1);
  u.mid_block_scale_factor = c.get_double("mid_block_scale_factor", 1.0);
  u.act_fn = c.get_string("act_fn", "silu");
  u.norm_num_groups = c.get_int("norm_num_groups", 32);
  u.norm_eps = c.get_double("norm_eps", 1e-5);
  u.use_linear_projection = c.get_bool("use_linear_projection", false);
  u.upcast_attention = c.get_bool("upcast_attention", false);
  const std::string ts = c.get_string("resnet_time_scale_shift", "default");
  if (ts != "default" && ts != "scale_shift") {
    fail(c.origin(), ": resnet_time_scale_shift '", ts, "' is not supported");
  }
  u.resnet_scale_shift = ts == "scale_shift";
  u.conv_in_kernel = c.get_int("conv_in_kernel", 3);
  u.conv_out_kernel = c.get_int("conv_out_kernel", 3);
  u.time_embedding_dim = c.get_int("time_embedding_dim", 0);
  return u;
}

UNet2DConditionModelImpl::UNet2DConditionModelImpl(const UNet2DConditionConfig& config)
    : config_(config), act_(activation_from_name(config.act_fn, "unet config act_fn")) {
  const auto& c = config_;
  const size_t n = c.block_out_channels.size();
  const int64_t time_embed_dim = c.time_embedding_dim > 0 ? c.time_embedding_dim : 4 * c.block_out_channels[0];

  conv_in = register_module("conv_in", make_conv(c.in_channels, c.block_out_channels[0], c.conv_in_kernel));
  time_embedding = register_module(
      "time_embedding", TimestepEmbedding(c.block_out_channels[0], time_embed_dim, act_));

  auto base = [&](const std::string& type, size_t level) {
    BlockOptions o;
    o.type = type;
    o.temb_channels = time_embed_dim;
    o.resnet_eps = c.norm_eps;
    o.act = act_;
    o.resnet_groups = c.norm_num_groups;
    o.cross_attention_dim = c.cross_attention_dim[level];
    o.num_attention_heads = c.num_attention_heads[level];
    o.transformer_layers = c.transformer_layers_per_block[level];
    o.use_linear_projection = c.use_linear_projection;
    o.only_cross_attention = c.only_cross_attention[level];
    o.scale_shift = c.resnet_scale_shift;
    return o;
  };

  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  int64_t output_channel = c.block_out_channels[0];
  for (size_t i = 0; i < n; ++i) {
    BlockOptions o = base(c.down_block_types[i], i);
    o.num_layers = c.layers_per_block[i];
    o.in_channels = output_channel;
    output_channel = c.block_out_channels[i];
    o.out_channels = output_channel;
    o.add_sample_step = i + 1 < n;
    o.downsample_padding = c.downsample_padding;
    down_list.push_back(get_down_block(o));
    down_blocks->push_back(down_list.back());
  }

  if (!c.mid_block_type.empty()) {
    BlockOptions o = base(c.mid_block_type, n - 1);
    o.in_channels = o.out_channels = c.block_out_channels.back();
    o.num_layers = 1;
    o.output_scale_factor = c.mid_block_scale_factor;
    mid_block = register_module("mid_block", get_mid_block(o));
  }

  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  output_channel = c.block_out_channels[n - 1];
  for (size_t i = 0; i < n; ++i) {
    const size_t level = n - 1 - i;  // the reversed lists of diffusers
    BlockOptions o = base(c.up_block_types[i], level);
    o.prev_output_channel = output_channel;
    output_channel = c.block_out_channels[level];
    o.out_channels = output_channel;
    o.in_channels = c.block_out_channels[level == 0 ? 0 : level - 1];
    o.num_layers = c.layers_per_block[level] + 1;
    o.add_sample_step = i + 1 < n;
    up_list.push_back(get_up_block(o));
    up_blocks->push_back(up_list.back());
  }

  conv_norm_out = register_module(
      "conv_norm_out", make_group_norm(c.norm_num_groups, c.block_out_channels[0], c.norm_eps));
  conv_out = register_module("conv_out", make_conv(c.block_out_channels[0], c.out_channels, c.conv_out_kernel));
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& sample,
                                                const torch::Tensor& timestep,
                                                const torch::Tensor& encoder_hidden_states) {
  const int64_t B = sample.size(0);
  torch::Tensor x = config_.center_input_sample ? 2 * sample - 1.0 : sample;

  torch::Tensor t = timestep.dim() == 0 ? timestep.reshape({1}) : timestep;
  t = t.to(sample.device()).expand({B});
  torch::Tensor t_emb = get_timestep_embedding(t, config_.block_out_channels[0],
                                               config_.flip_sin_to_cos, config_.freq_shift);
  torch::Tensor emb = time_embedding->forward(t_emb.to(sample.dtype()));  // [B, time_embed_dim]

  x = conv_forward(conv_in, x);  // [B, C0, H, W]
  std::vector<torch::Tensor> res_samples{x};
  for (auto& block : down_list) x = block->forward(x, emb, encoder_hidden_states, res_samples);

  if (mid_block) x = mid_block->forward(x, emb, encoder_hidden_states);

  for (size_t i = 0; i < up_list.size(); ++i) {
    auto& block = up_list[i];
    std::optional<std::vector<int64_t>> upsample_size;
    const size_t skips = static_cast<size_t>(block->num_resnets());
    if (i + 1 < up_list.size() && res_samples.size() > skips) {
      const auto& next = res_samples[res_samples.size() - skips - 1];
      upsample_size = std::vector<int64_t>{next.size(2), next.size(3)};
    }
    x = block->forward(x, res_samples, emb, encoder_hidden_states, upsample_size);
  }

  x = apply_activation(act_, conv_norm_out->forward(x));
  return conv_forward(conv_out, x);  // [B, out, H, W]
}

std::vector<std::pair<std::string, Attention>> UNet2DConditionModelImpl::attention_layers() {
  std::vector<std::pair<std::string, Attention>> out;
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    if (auto attn = std::dynamic_pointer_cast<AttentionImpl>(item.value())) {
      out.emplace_back(item.key(), Attention(attn));
    }
  }
  return out;
}

void UNet2DConditionModelImpl::set_attn_processor(std::shared_ptr<AttentionProcessor> processor) {
  for (auto& [name, attn] : attention_layers()) attn->set_processor(processor);
}

void UNet2DConditionModelImpl::set_attn_processor(
    const std::map<std::string, std::shared_ptr<AttentionProcessor>>& map) {
  auto layers = attention_layers();
  if (map.size() != layers.size()) {
    fail("set_attn_processor: got ", map.size(), " processors but the UNet has ", layers.size(),
         " attention layers");
  }
  for (auto& [name, attn] : layers) {
    auto it = map.find(name);
    if (it == map.end()) fail("set_attn_processor: no processor for attention layer ", name);
    attn->set_processor(it->second);
  }
}

}  // namespace hd
