#include "sparse/sparse_unet.h"

#include <optional>

#include <torch/torch.h>

#include "common/error.h"
#include "models/macs.h"
#include "sparse/part_profile.h"
#include "sparse/sparse_ops.h"

namespace hd {
namespace {

// Nearest 2x upsampling to `like`'s size (an empty map of that size in dry runs).
torch::Tensor upsample_nearest(const torch::Tensor& x, const torch::Tensor& like) {
  const std::vector<int64_t> size = {like.size(2), like.size(3)};
  if (mac_dry_run()) return torch::empty({x.size(0), x.size(1), size[0], size[1]}, x.options());
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions().mode(torch::kNearest).size(size));
}

// A 3x3 convolution (padding 1, stride 1 or 2) of `src` -- its GroupNorm affine, then SiLU,
// where given; read nearest-upsampled by `upsample` -- written into `cache` in place on g's
// active output tiles. A level whose tiles are all active runs it on the whole map (the
// tiles' gathers and halo windows would compute the same values).
void conv_into(torch::nn::Conv2d& conv, const GatherSource& src, bool silu, int upsample,
               const LevelGeometry& g, torch::Tensor& cache) {
  const int64_t stride = (*conv->options.stride())[0];
  if (!g.all_active()) {
    const int64_t window = stride * (g.block - 1) + 3;  // the output tile's receptive field
    torch::Tensor w = gather_tiles({src}, g.ys, g.xs, -1, window, silu, upsample, stride);
    scatter_tiles(conv_tiles(conv, w), {}, g.ys, g.xs, cache);
    return;
  }
  torch::Tensor in = src.map;
  if (!mac_dry_run() && src.scale.defined()) in = apply_affine(in, src.scale, src.shift);
  if (!mac_dry_run() && silu) in = torch::silu(in);
  if (upsample > 1) in = upsample_nearest(in, cache);
  torch::Tensor y = conv_forward(conv, in);  // counts the MACs, also in dry runs
  if (!mac_dry_run()) cache.copy_(y);
}

}  // namespace

SparseUNet::SparseUNet(UNet2DConditionModel unet) : unet_(std::move(unet)) {
  convolutions_to_channels_last(*unet_);
  auto mirror = [](auto& resnets, auto& attentions, int level, Block& b) {
    for (auto& r : resnets) b.resnets.emplace_back(r, level);
    for (auto& a : attentions) b.attentions.emplace_back(a, level);
  };
  const int n = levels();
  for (auto& d : unet_->down_list) {
    Block b;
    mirror(d->resnet_list, d->attention_list, static_cast<int>(down_.size()), b);
    if (d->downsampler) {
      b.has_sampler = true;
      b.sampler.conv = &d->downsampler->conv;
    }
    down_.push_back(std::move(b));
  }
  if (unet_->mid_block) mirror(unet_->mid_block->resnet_list, unet_->mid_block->transformer_list, n - 1, mid_);
  for (auto& u : unet_->up_list) {
    Block b;
    mirror(u->resnet_list, u->attention_list, n - 1 - static_cast<int>(up_.size()), b);
    if (u->upsampler) {
      b.has_sampler = true;
      b.sampler.conv = &u->upsampler->conv;
    }
    up_.push_back(std::move(b));
  }
}

void SparseUNet::clear() {
  has_cache_ = false;
  out_ = torch::Tensor();
  conv_in_out_ = torch::Tensor();
  ++cache_generation_;
}

torch::Tensor SparseUNet::time_embedding(const torch::Tensor& timestep, const torch::Tensor& sample) {
  const auto& c = unet_->config();
  torch::Tensor t = timestep.dim() == 0 ? timestep.reshape({1}) : timestep;
  t = t.to(sample.device()).expand({sample.size(0)});
  torch::Tensor emb = get_timestep_embedding(t, c.block_out_channels[0], c.flip_sin_to_cos, c.freq_shift);
  return unet_->time_embedding->forward(emb.to(sample.dtype()));  // [B, time_embed_dim]
}

torch::Tensor SparseUNet::forward_full(const torch::Tensor& sample, const torch::Tensor& timestep,
                                       const torch::Tensor& context) {
  const auto& c = unet_->config();
  if (c.center_input_sample) fail("sparse UNet: center_input_sample is not supported");
  const int n = levels();
  torch::Tensor emb, x;
  {
    PartTimer part("time embedding + conv_in");
    emb = time_embedding(timestep, sample);
    x = conv_forward(unet_->conv_in, sample.contiguous(kSparseFormat)).contiguous(kSparseFormat);
  }
  bool moved = keep_cache(conv_in_out_, x);
  x = conv_in_out_;
  std::vector<torch::Tensor> skips{x};
  for (int level = 0; level < n; ++level) {
    Block& b = down_[level];
    for (size_t i = 0; i < b.resnets.size(); ++i) {
      {
        PartTimer part("resnet", level);
        x = b.resnets[i].forward_full({x}, emb);
      }
      if (!b.attentions.empty()) {
        PartTimer part("transformer", level);
        x = b.attentions[i].forward_full(x, context);
      }
      skips.push_back(x);
    }
    if (b.has_sampler) {
      PartTimer part("downsample", level + 1);
      moved |=
          keep_cache(b.sampler.out, conv_forward(*b.sampler.conv, x).contiguous(kSparseFormat));
      x = b.sampler.out;
      skips.push_back(x);
    }
  }
  if (!mid_.resnets.empty()) {
    PartTimer part("mid block");
    x = mid_.resnets[0].forward_full({x}, emb);
    for (size_t i = 0; i < mid_.attentions.size(); ++i) {
      x = mid_.attentions[i].forward_full(x, context);
      x = mid_.resnets[i + 1].forward_full({x}, emb);
    }
  }
  for (int i = 0; i < n; ++i) {
    Block& b = up_[i];
    const int level = n - 1 - i;
    for (size_t r = 0; r < b.resnets.size(); ++r) {
      torch::Tensor skip = skips.back();
      skips.pop_back();
      {
        PartTimer part("resnet", level);
        x = b.resnets[r].forward_full({x, skip}, emb);
      }
      if (!b.attentions.empty()) {
        PartTimer part("transformer", level);
        x = b.attentions[r].forward_full(x, context);
      }
    }
    if (b.has_sampler) {
      PartTimer part("upsample", level - 1);
      const auto& next = skips.back();
      namespace F = torch::nn::functional;
      torch::Tensor up = F::interpolate(
          x, F::InterpolateFuncOptions().mode(torch::kNearest).size(std::vector<int64_t>{next.size(2), next.size(3)}));
      moved |=
          keep_cache(b.sampler.out, conv_forward(*b.sampler.conv, up).contiguous(kSparseFormat));
      x = b.sampler.out;
    }
  }
  PartTimer part("conv_out");
  NormAffine gn = group_norm_affine(x, unet_->conv_norm_out);
  moved |= keep_cache(norm_out_scale_, gn.scale);
  moved |= keep_cache(norm_out_shift_, gn.shift);
  torch::Tensor a = torch::silu(gn.normed);
  moved |= keep_cache(out_, conv_forward(unet_->conv_out, a).contiguous(kSparseFormat));
  auto block_moved = [](const Block& b) {
    bool m = false;
    for (const auto& r : b.resnets) m |= r.caches_moved();
    for (const auto& t : b.attentions) m |= t.caches_moved();
    return m;
  };
  moved |= block_moved(mid_);
  for (const Block& b : down_) moved |= block_moved(b);
  for (const Block& b : up_) moved |= block_moved(b);
  if (moved) ++cache_generation_;
  has_cache_ = true;
  return out_;
}

torch::Tensor SparseUNet::forward_partial(const torch::Tensor& sample, const torch::Tensor& timestep,
                                          const torch::Tensor& context, const SparseGeometry& geo) {
  if (!has_cache_) fail("sparse UNet: a partial step needs a full step first");
  if (sample.size(0) != out_.size(0)) {
    fail("sparse UNet: batch ", sample.size(0), " differs from the cached full step's ", out_.size(0));
  }
  if (static_cast<int>(geo.levels.size()) != levels()) {
    fail("sparse UNet: geometry has ", geo.levels.size(), " levels, the UNet ", levels());
  }
  const auto& c = unet_->config();
  if (c.act_fn != "silu") fail("sparse UNet: act_fn '", c.act_fn, "' is not supported (silu only)");
  const int n = levels();
  std::optional<PartTimer> part(std::in_place, "time embedding + conv_in");
  torch::Tensor emb = time_embedding(timestep, sample);

  const LevelGeometry& g0 = geo.levels[0];
  // conv_in on the fresh latents
  conv_into(unet_->conv_in, {sample.contiguous(kSparseFormat), {}, {}}, false, 1, g0, conv_in_out_);
  torch::Tensor x = conv_in_out_;
  std::vector<torch::Tensor> skips{x};
  for (int level = 0; level < n; ++level) {
    Block& b = down_[level];
    const LevelGeometry& g = geo.levels[level];
    for (size_t i = 0; i < b.resnets.size(); ++i) {
      part.emplace("resnet", level);
      x = b.resnets[i].forward_partial({x}, emb, g);
      if (!b.attentions.empty()) {
        part.emplace("transformer", level);
        x = b.attentions[i].forward_partial(x, context, g);
      }
      skips.push_back(x);
    }
    if (b.has_sampler) {  // stride-2 3x3 conv: output tiles of the next level
      part.emplace("downsample", level + 1);
      const LevelGeometry& gn = geo.levels[level + 1];
      conv_into(*b.sampler.conv, {x, {}, {}}, false, 1, gn, b.sampler.out);
      x = b.sampler.out;
      skips.push_back(x);
    }
  }
  if (!mid_.resnets.empty()) {
    part.emplace("mid block");
    const LevelGeometry& g = geo.levels[n - 1];
    x = mid_.resnets[0].forward_partial({x}, emb, g);
    for (size_t i = 0; i < mid_.attentions.size(); ++i) {
      x = mid_.attentions[i].forward_partial(x, context, g);
      x = mid_.resnets[i + 1].forward_partial({x}, emb, g);
    }
  }
  for (int i = 0; i < n; ++i) {
    Block& b = up_[i];
    const int level = n - 1 - i;
    const LevelGeometry& g = geo.levels[level];
    for (size_t r = 0; r < b.resnets.size(); ++r) {
      torch::Tensor skip = skips.back();
      skips.pop_back();
      part.emplace("resnet", level);
      x = b.resnets[r].forward_partial({x, skip}, emb, g);
      if (!b.attentions.empty()) {
        part.emplace("transformer", level);
        x = b.attentions[r].forward_partial(x, context, g);
      }
    }
    if (b.has_sampler) {  // nearest 2x + 3x3 conv: output tiles of the level above
      part.emplace("upsample", level - 1);
      const LevelGeometry& gu = geo.levels[level - 1];
      if (gu.height != 2 * g.height || gu.width != 2 * g.width) {
        fail("sparse UNet: upsampling ", g.height, "x", g.width, " to ", gu.height, "x", gu.width,
             " is not an exact 2x (use sizes divisible by ", 1 << (n - 1), ")");
      }
      conv_into(*b.sampler.conv, {x, {}, {}}, false, 2, gu, b.sampler.out);
      x = b.sampler.out;
    }
  }
  part.emplace("conv_out");
  conv_into(unet_->conv_out, {x, norm_out_scale_, norm_out_shift_}, true, 1, g0, out_);
  return out_;
}

}  // namespace hd
