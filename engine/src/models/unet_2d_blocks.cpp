#include "models/unet_2d_blocks.h"

#include "common/error.h"

namespace hd {
namespace {

ResnetBlock2D make_resnet(const BlockOptions& o, int64_t in, int64_t out) {
  ResnetBlock2DOptions r;
  r.in_channels = in;
  r.out_channels = out;
  r.temb_channels = o.temb_channels;
  r.groups = o.resnet_groups;
  r.eps = o.resnet_eps;
  r.act = o.act;
  r.scale_shift = o.scale_shift;
  r.output_scale_factor = o.output_scale_factor;
  return ResnetBlock2D(r);
}

Transformer2DModel make_transformer(const BlockOptions& o, int64_t channels) {
  if (o.num_attention_heads <= 0 || channels % o.num_attention_heads != 0) {
    fail(o.type, ": ", channels, " channels cannot be split into ", o.num_attention_heads,
         " attention heads");
  }
  Transformer2DModelOptions t;
  t.num_attention_heads = o.num_attention_heads;
  t.attention_head_dim = channels / o.num_attention_heads;
  t.in_channels = channels;
  t.num_layers = o.transformer_layers;
  t.cross_attention_dim = o.cross_attention_dim;
  t.norm_num_groups = o.resnet_groups;
  t.use_linear_projection = o.use_linear_projection;
  t.only_cross_attention = o.only_cross_attention;
  return Transformer2DModel(t);
}

}  // namespace

DownBlock2DImpl::DownBlock2DImpl(const BlockOptions& o, bool with_attention) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  if (with_attention) attentions = register_module("attentions", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    resnet_list.push_back(make_resnet(o, i == 0 ? o.in_channels : o.out_channels, o.out_channels));
    resnets->push_back(resnet_list.back());
    if (with_attention) {
      attention_list.push_back(make_transformer(o, o.out_channels));
      attentions->push_back(attention_list.back());
    }
  }
  if (o.add_sample_step) {
    downsamplers = register_module("downsamplers", torch::nn::ModuleList());
    downsampler = Downsample2D(o.out_channels, o.out_channels, o.downsample_padding);
    downsamplers->push_back(downsampler);
  }
}

torch::Tensor DownBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                       const torch::Tensor& context,
                                       std::vector<torch::Tensor>& res_samples) {
  torch::Tensor h = x;
  for (size_t i = 0; i < resnet_list.size(); ++i) {
    h = resnet_list[i]->forward(h, temb);
    if (!attention_list.empty()) h = attention_list[i]->forward(h, context);
    res_samples.push_back(h);
  }
  if (downsampler) {
    h = downsampler->forward(h);
    res_samples.push_back(h);
  }
  return h;
}

UpBlock2DImpl::UpBlock2DImpl(const BlockOptions& o, bool with_attention, bool with_skips)
    : with_skips_(with_skips) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  if (with_attention) attentions = register_module("attentions", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    int64_t in = 0;
    if (with_skips) {
      const int64_t skip = (i == o.num_layers - 1) ? o.in_channels : o.out_channels;
      in = (i == 0 ? o.prev_output_channel : o.out_channels) + skip;
    } else {
      in = i == 0 ? o.in_channels : o.out_channels;
    }
    resnet_list.push_back(make_resnet(o, in, o.out_channels));
    resnets->push_back(resnet_list.back());
    if (with_attention) {
      attention_list.push_back(make_transformer(o, o.out_channels));
      attentions->push_back(attention_list.back());
    }
  }
  if (o.add_sample_step) {
    upsamplers = register_module("upsamplers", torch::nn::ModuleList());
    upsampler = Upsample2D(o.out_channels, o.out_channels);
    upsamplers->push_back(upsampler);
  }
}

torch::Tensor UpBlock2DImpl::forward(const torch::Tensor& x,
                                     std::vector<torch::Tensor>& res_samples,
                                     const torch::Tensor& temb, const torch::Tensor& context,
                                     std::optional<std::vector<int64_t>> upsample_size) {
  torch::Tensor h = x;
  for (size_t i = 0; i < resnet_list.size(); ++i) {
    if (with_skips_) {
      if (res_samples.empty()) fail("UpBlock2D: ran out of skip connections");
      h = torch::cat({h, res_samples.back()}, 1);  // [B, C + Cskip, H, W]
      res_samples.pop_back();
    }
    h = resnet_list[i]->forward(h, temb);
    if (!attention_list.empty()) h = attention_list[i]->forward(h, context);
  }
  if (upsampler) h = upsampler->forward(h, std::move(upsample_size));
  return h;
}

MidBlock2DImpl::MidBlock2DImpl(const BlockOptions& o, bool cross_attention) {
  const int64_t c = o.in_channels;
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  resnet_list.push_back(make_resnet(o, c, c));
  resnets->push_back(resnet_list.back());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    if (cross_attention) {
      transformer_list.push_back(make_transformer(o, c));
      attentions->push_back(transformer_list.back());
    } else {
      const int64_t head_dim = o.attention_head_dim > 0 ? o.attention_head_dim : c;
      AttentionOptions a;
      a.query_dim = c;
      a.heads = c / head_dim;
      a.dim_head = head_dim;
      a.bias = true;
      a.norm_num_groups = o.resnet_groups;
      a.eps = o.resnet_eps;
      a.residual_connection = true;
      a.rescale_output_factor = o.output_scale_factor;
      attention_list.emplace_back(a);
      attentions->push_back(attention_list.back());
    }
    resnet_list.push_back(make_resnet(o, c, c));
    resnets->push_back(resnet_list.back());
  }
}

torch::Tensor MidBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                      const torch::Tensor& context) {
  torch::Tensor h = resnet_list[0]->forward(x, temb);
  for (size_t i = 1; i < resnet_list.size(); ++i) {
    if (!transformer_list.empty()) {
      h = transformer_list[i - 1]->forward(h, context);
    } else {
      h = attention_list[i - 1]->forward(h);
    }
    h = resnet_list[i]->forward(h, temb);
  }
  return h;
}

DownBlock2D get_down_block(const BlockOptions& o) {
  if (o.type == "CrossAttnDownBlock2D") return DownBlock2D(o, true);
  if (o.type == "DownBlock2D" || o.type == "DownEncoderBlock2D") return DownBlock2D(o, false);
  fail(o.type, " does not exist (supported: CrossAttnDownBlock2D, DownBlock2D, DownEncoderBlock2D)");
}

UpBlock2D get_up_block(const BlockOptions& o) {
  if (o.type == "CrossAttnUpBlock2D") return UpBlock2D(o, true, true);
  if (o.type == "UpBlock2D") return UpBlock2D(o, false, true);
  if (o.type == "UpDecoderBlock2D") return UpBlock2D(o, false, false);
  fail(o.type, " does not exist (supported: CrossAttnUpBlock2D, UpBlock2D, UpDecoderBlock2D)");
}

MidBlock2D get_mid_block(const BlockOptions& o) {
  if (o.type == "UNetMidBlock2DCrossAttn") return MidBlock2D(o, true);
  if (o.type == "UNetMidBlock2D") return MidBlock2D(o, false);
  fail(o.type, " does not exist (supported: UNetMidBlock2DCrossAttn, UNetMidBlock2D)");
}

}  // namespace hd
