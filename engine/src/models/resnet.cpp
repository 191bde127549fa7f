#include "models/resnet.h"

#include "common/error.h"
#include "models/macs.h"

namespace hd {

torch::nn::GroupNorm make_group_norm(int64_t groups, int64_t channels, double eps) {
  if (groups <= 0 || channels % groups != 0) {
    fail("GroupNorm: ", channels, " channels cannot be split into ", groups, " groups");
  }
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, channels).eps(eps).affine(true));
}

torch::nn::Conv2d make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                            int64_t padding, bool bias) {
  if (padding < 0) padding = (kernel - 1) / 2;
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetBlock2DOptions& options) : options_(options) {
  if (options_.out_channels == 0) options_.out_channels = options_.in_channels;
  const int64_t in = options_.in_channels, out = options_.out_channels;
  norm1 = register_module("norm1", make_group_norm(options_.groups, in, options_.eps));
  conv1 = register_module("conv1", make_conv(in, out, 3));
  if (options_.temb_channels > 0) {
    time_emb_proj = register_module(
        "time_emb_proj",
        torch::nn::Linear(options_.temb_channels, options_.scale_shift ? 2 * out : out));
  }
  norm2 = register_module("norm2", make_group_norm(options_.groups, out, options_.eps));
  conv2 = register_module("conv2", make_conv(out, out, 3));
  if (in != out) {
    conv_shortcut = register_module(
        "conv_shortcut", make_conv(in, out, 1, 1, 0, options_.conv_shortcut_bias));
  }
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
  torch::Tensor h = apply_activation(options_.act, norm1->forward(x));
  h = conv_forward(conv1, h);  // [B, Cout, H, W]
  torch::Tensor t;
  if (time_emb_proj && temb.defined()) {
    t = linear_forward(time_emb_proj, apply_activation(options_.act, temb));
    t = t.unsqueeze(-1).unsqueeze(-1);  // [B, Cout or 2*Cout, 1, 1]
  }
  if (!options_.scale_shift) {
    if (t.defined()) h = h + t;
    h = norm2->forward(h);
  } else {
    h = norm2->forward(h);
    if (t.defined()) {
      auto ss = t.chunk(2, 1);
      h = h * (1 + ss[0]) + ss[1];
    }
  }
  h = conv_forward(conv2, apply_activation(options_.act, h));
  torch::Tensor shortcut = conv_shortcut ? conv_forward(conv_shortcut, x) : x;
  torch::Tensor out = shortcut + h;
  if (options_.output_scale_factor != 1.0) out = out / options_.output_scale_factor;
  return out;
}

Downsample2DImpl::Downsample2DImpl(int64_t channels, int64_t out_channels, int64_t padding)
    : padding_(padding) {
  conv = register_module("conv", make_conv(channels, out_channels, 3, 2, padding));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
  if (padding_ == 0) return conv_forward(conv, torch::constant_pad_nd(x, {0, 1, 0, 1}, 0));
  return conv_forward(conv, x);
}

Upsample2DImpl::Upsample2DImpl(int64_t channels, int64_t out_channels) {
  conv = register_module("conv", make_conv(channels, out_channels, 3));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x,
                                      std::optional<std::vector<int64_t>> size) {
  namespace F = torch::nn::functional;
  auto opts = F::InterpolateFuncOptions().mode(torch::kNearest);
  if (size) {
    opts.size(*size);
  } else {
    opts.scale_factor(std::vector<double>{2.0, 2.0});
  }
  return conv_forward(conv, F::interpolate(x, opts));
}

}  // namespace hd
