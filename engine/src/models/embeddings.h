// Timestep embeddings (diffusers models/embeddings.py: get_timestep_embedding,
// Timesteps, TimestepEmbedding).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "models/activations.h"

namespace hd {

// Sinusoidal embedding of `timesteps` [N] -> [N, dim], as diffusers computes it:
// exponent = -log(max_period) * arange(half) / (half - downscale_freq_shift).
torch::Tensor get_timestep_embedding(const torch::Tensor& timesteps, int64_t dim,
                                     bool flip_sin_to_cos, double downscale_freq_shift,
                                     double scale = 1.0, double max_period = 10000.0);

// linear_1 -> act -> linear_2.
class TimestepEmbeddingImpl : public torch::nn::Module {
 public:
  TimestepEmbeddingImpl(int64_t in_channels, int64_t time_embed_dim, Activation act);
  torch::Tensor forward(const torch::Tensor& sample);  // [N, in] -> [N, time_embed_dim]

  torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};

 private:
  Activation act_;
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace hd
