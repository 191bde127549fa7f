#include "sparse/sparse_resnet.h"

#include <torch/torch.h>

#include "common/error.h"
#include "models/macs.h"
#include "sparse/part_profile.h"
#include "sparse/sparse_ops.h"

namespace hd {
namespace {

torch::Tensor concat(const std::vector<torch::Tensor>& inputs) {
  return inputs.size() == 1 ? inputs[0] : torch::cat(inputs, 1);
}

std::vector<GatherSource> sources(const std::vector<torch::Tensor>& inputs, const torch::Tensor& scale,
                                  const torch::Tensor& shift) {
  std::vector<GatherSource> out;
  int64_t c = 0;
  for (const auto& x : inputs) {
    const int64_t n = x.size(1);
    out.push_back({x, scale.defined() ? scale.slice(1, c, c + n) : torch::Tensor(),
                   shift.defined() ? shift.slice(1, c, c + n) : torch::Tensor()});
    c += n;
  }
  return out;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> SparseResnet::norm2_affine(const torch::Tensor& temb) {
  const auto& o = m_->options();
  if (!m_->time_emb_proj || !temb.defined()) return {scale2_, shift2_};
  torch::Tensor t = linear_forward(m_->time_emb_proj, apply_activation(o.act, temb));  // [B, C or 2C]
  if (!o.scale_shift) {
    // GN2 acts on (h1 + t): scale * h1 + (scale * t + shift).
    return {scale2_, shift2_ + scale2_ * t};
  }
  auto ss = t.chunk(2, 1);  // norm2(h1) * (1 + s) + shift
  return {scale2_ * (1 + ss[0]), shift2_ * (1 + ss[0]) + ss[1]};
}

torch::Tensor SparseResnet::forward_full(const std::vector<torch::Tensor>& inputs, const torch::Tensor& temb) {
  const auto& o = m_->options();
  torch::Tensor x = concat(inputs);
  NormAffine gn1 = group_norm_affine(x, m_->norm1);
  moved_ = keep_cache(scale1_, gn1.scale);
  moved_ |= keep_cache(shift1_, gn1.shift);
  torch::Tensor h = conv_forward(m_->conv1, apply_activation(o.act, gn1.normed));
  moved_ |= keep_cache(h1_, h.contiguous(kSparseFormat));
  torch::Tensor t;
  if (m_->time_emb_proj && temb.defined()) {
    t = linear_forward(m_->time_emb_proj, apply_activation(o.act, temb)).unsqueeze(-1).unsqueeze(-1);
  }
  torch::Tensor n;
  if (!o.scale_shift) {
    torch::Tensor pre = t.defined() ? h1_ + t : h1_;
    NormAffine gn2 = group_norm_affine(pre, m_->norm2);
    moved_ |= keep_cache(scale2_, gn2.scale);
    moved_ |= keep_cache(shift2_, gn2.shift);
    n = gn2.normed;
  } else {
    NormAffine gn2 = group_norm_affine(h1_, m_->norm2);
    moved_ |= keep_cache(scale2_, gn2.scale);
    moved_ |= keep_cache(shift2_, gn2.shift);
    n = gn2.normed;
    if (t.defined()) {
      auto ss = t.chunk(2, 1);
      n = n * (1 + ss[0]) + ss[1];
    }
  }
  torch::Tensor y = conv_forward(m_->conv2, apply_activation(o.act, n));
  torch::Tensor shortcut = m_->conv_shortcut ? conv_forward(m_->conv_shortcut, x) : x;
  torch::Tensor out = shortcut + y;
  if (o.output_scale_factor != 1.0) out = out / o.output_scale_factor;
  moved_ |= keep_cache(out_, out.contiguous(kSparseFormat));
  return out_;
}

torch::Tensor SparseResnet::forward_partial(const std::vector<torch::Tensor>& inputs,
                                            const torch::Tensor& temb, const LevelGeometry& g) {
  if (!out_.defined()) fail("sparse resnet: a partial step needs a full step first");
  if (g.count() == 0) return out_;
  const auto& o = m_->options();
  const bool silu = o.act == Activation::kSilu;
  if (!silu) fail("sparse resnet: only SiLU is fused into the gather (got another activation)");
  if (g.all_active()) return forward_partial_dense(inputs, temb);
  const int64_t b = g.block;
  // conv1 on (b+2)^2 windows -> b^2 tiles.
  torch::Tensor w1;
  {
    PartTimer timer("tile gather/scatter", level_);
    w1 = gather_tiles(sources(inputs, scale1_, shift1_), g.ys, g.xs, -1, b + 2, true);
  }
  torch::Tensor t1 = conv_tiles(m_->conv1, w1);  // [B*N, C, b, b]
  // conv2's windows with GN2 (time embedding of this step folded in) + SiLU, read from the
  // new conv1 tiles and, around them, the full step's conv1 map (fused scatter-gather: the
  // cached map is not written, and every partial step recomputes the same tiles).
  auto [scale2, shift2] = norm2_affine(temb);
  torch::Tensor w2, res;
  {
    PartTimer timer("tile gather/scatter", level_);
    w2 = scatter_gather_tiles(t1, h1_, scale2, shift2, g.ys, g.xs, -1, b + 2, true);
    res = gather_tiles(sources(inputs, {}, {}), g.ys, g.xs, 0, b, false);
  }
  torch::Tensor y = conv_tiles(m_->conv2, w2);  // [B*N, Cout, b, b]
  if (m_->conv_shortcut) res = conv_tiles(m_->conv_shortcut, res);
  PartTimer timer("tile gather/scatter", level_);
  scatter_tiles(y, res, g.ys, g.xs, out_, static_cast<float>(1.0 / o.output_scale_factor));
  return out_;
}

torch::Tensor SparseResnet::forward_partial_dense(const std::vector<torch::Tensor>& inputs,
                                                  const torch::Tensor& temb) {
  const auto& o = m_->options();
  auto [scale2, shift2] = norm2_affine(temb);
  if (mac_dry_run()) {  // count the convolutions only, on an empty map of the input's shape
    int64_t cin = 0;
    for (const auto& in : inputs) cin += in.size(1);
    const auto& a = inputs.front();
    torch::Tensor x = torch::empty({a.size(0), cin, a.size(2), a.size(3)}, a.options());
    torch::Tensor h = conv_forward(m_->conv1, x);
    conv_forward(m_->conv2, h);
    if (m_->conv_shortcut) conv_forward(m_->conv_shortcut, x);
    return out_;
  }
  torch::Tensor x = concat(inputs);  // [B, Cin, H, W]
  // GN1 with the full pass's statistics, as the tiles' gathers apply it.
  torch::Tensor h =
      conv_forward(m_->conv1, torch::silu(apply_affine(x, scale1_, shift1_)));  // [B, Cout, H, W]
  torch::Tensor y = conv_forward(m_->conv2, torch::silu(apply_affine(h, scale2, shift2)));
  torch::Tensor shortcut = m_->conv_shortcut ? conv_forward(m_->conv_shortcut, x) : x;
  torch::Tensor out = shortcut + y;
  if (o.output_scale_factor != 1.0) out = out / o.output_scale_factor;
  out_.copy_(out);  // in place: the cache's storage is what later layers and CUDA graphs read
  return out_;
}

int64_t SparseResnet::macs_per_pixel() const {
  const auto& w1 = m_->conv1->weight;
  const auto& w2 = m_->conv2->weight;
  int64_t macs = w1.size(0) * w1.size(1) * 9 + w2.size(0) * w2.size(1) * 9;
  if (m_->conv_shortcut) macs += m_->conv_shortcut->weight.size(0) * m_->conv_shortcut->weight.size(1);
  return macs;
}

}  // namespace hd
