#include "models/embeddings.h"

#include <cmath>

#include "models/macs.h"

namespace hd {

torch::Tensor get_timestep_embedding(const torch::Tensor& timesteps, int64_t dim,
                                     bool flip_sin_to_cos, double downscale_freq_shift,
                                     double scale, double max_period) {
  const int64_t half = dim / 2;
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device());
  torch::Tensor exponent = -std::log(max_period) * torch::arange(0, half, opts);  // [half]
  exponent = exponent / (static_cast<double>(half) - downscale_freq_shift);
  torch::Tensor emb = timesteps.to(torch::kFloat32).unsqueeze(1) * torch::exp(exponent).unsqueeze(0);
  emb = scale * emb;                                                       // [N, half]
  emb = torch::cat({torch::sin(emb), torch::cos(emb)}, -1);                // [N, 2*half]
  if (flip_sin_to_cos) emb = torch::cat({emb.slice(1, half), emb.slice(1, 0, half)}, -1);
  if (dim % 2 == 1) emb = torch::constant_pad_nd(emb, {0, 1, 0, 0});
  return emb;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in_channels, int64_t time_embed_dim,
                                             Activation act)
    : act_(act) {
  linear_1 = register_module("linear_1", torch::nn::Linear(in_channels, time_embed_dim));
  linear_2 = register_module("linear_2", torch::nn::Linear(time_embed_dim, time_embed_dim));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& sample) {
  torch::Tensor h = linear_forward(linear_1, sample);
  h = apply_activation(act_, h);
  return linear_forward(linear_2, h);
}

}  // namespace hd
