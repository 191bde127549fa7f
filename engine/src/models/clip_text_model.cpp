#include "models/clip_text_model.h"

#include <cmath>
#include <limits>

#include "common/error.h"
#include "io/json_config.h"
#include "models/attention_processor.h"
#include "models/macs.h"

namespace hd {

ClipTextConfig ClipTextConfig::from_json(const JsonConfig& c) {
  ClipTextConfig t;
  t.vocab_size = c.get_int("vocab_size", 49408);
  t.hidden_size = c.get_int("hidden_size", 512);
  t.intermediate_size = c.get_int("intermediate_size", 2048);
  t.num_hidden_layers = c.get_int("num_hidden_layers", 12);
  t.num_attention_heads = c.get_int("num_attention_heads", 8);
  t.max_position_embeddings = c.get_int("max_position_embeddings", 77);
  t.hidden_act = c.get_string("hidden_act", "quick_gelu");
  t.layer_norm_eps = c.get_double("layer_norm_eps", 1e-5);
  if (t.hidden_size % t.num_attention_heads != 0) {
    fail(c.origin(), ": hidden_size ", t.hidden_size, " is not divisible by num_attention_heads ",
         t.num_attention_heads);
  }
  return t;
}

CLIPAttentionImpl::CLIPAttentionImpl(int64_t hidden, int64_t heads) : heads_(heads) {
  k_proj = register_module("k_proj", torch::nn::Linear(hidden, hidden));
  v_proj = register_module("v_proj", torch::nn::Linear(hidden, hidden));
  q_proj = register_module("q_proj", torch::nn::Linear(hidden, hidden));
  out_proj = register_module("out_proj", torch::nn::Linear(hidden, hidden));
}

torch::Tensor CLIPAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t B = x.size(0), L = x.size(1), D = x.size(2), d = D / heads_;
  auto split = [&](const torch::Tensor& t) { return t.view({B, L, heads_, d}).transpose(1, 2); };
  torch::Tensor q = split(linear_forward(q_proj, x));  // [B, heads, L, d]
  torch::Tensor k = split(linear_forward(k_proj, x));
  torch::Tensor v = split(linear_forward(v_proj, x));
  count_attention_macs(B * heads_, L, L, d);
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
  torch::Tensor probs = torch::softmax(scores + mask, -1);  // [B, heads, L, L]
  torch::Tensor out = torch::matmul(probs, v).transpose(1, 2).reshape({B, L, D});
  return linear_forward(out_proj, out);
}

CLIPMLPImpl::CLIPMLPImpl(int64_t hidden, int64_t intermediate, Activation act) : act_(act) {
  fc1 = register_module("fc1", torch::nn::Linear(hidden, intermediate));
  fc2 = register_module("fc2", torch::nn::Linear(intermediate, hidden));
}

torch::Tensor CLIPMLPImpl::forward(const torch::Tensor& x) {
  return linear_forward(fc2, apply_activation(act_, linear_forward(fc1, x)));
}

namespace {
torch::nn::LayerNorm make_ln(int64_t dim, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps));
}
}  // namespace

CLIPEncoderLayerImpl::CLIPEncoderLayerImpl(const ClipTextConfig& c) {
  self_attn = register_module("self_attn", CLIPAttention(c.hidden_size, c.num_attention_heads));
  layer_norm1 = register_module("layer_norm1", make_ln(c.hidden_size, c.layer_norm_eps));
  mlp = register_module("mlp", CLIPMLP(c.hidden_size, c.intermediate_size,
                                       activation_from_name(c.hidden_act, "text_encoder hidden_act")));
  layer_norm2 = register_module("layer_norm2", make_ln(c.hidden_size, c.layer_norm_eps));
}

torch::Tensor CLIPEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  torch::Tensor h = x + self_attn->forward(layer_norm1->forward(x), mask);
  return h + mlp->forward(layer_norm2->forward(h));
}

CLIPTextModelImpl::CLIPTextModelImpl(const ClipTextConfig& c) : config_(c) {
  auto text_model = register_module("text_model", std::make_shared<torch::nn::Module>());
  auto embeddings = text_model->register_module("embeddings", std::make_shared<torch::nn::Module>());
  token_embedding_ = embeddings->register_module("token_embedding",
                                                 torch::nn::Embedding(c.vocab_size, c.hidden_size));
  position_embedding_ = embeddings->register_module(
      "position_embedding", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  auto encoder = text_model->register_module("encoder", std::make_shared<torch::nn::Module>());
  auto layers = encoder->register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    layers_.emplace_back(c);
    layers->push_back(layers_.back());
  }
  final_layer_norm_ = text_model->register_module("final_layer_norm",
                                                  make_ln(c.hidden_size, c.layer_norm_eps));
}

torch::Tensor CLIPTextModelImpl::forward(const torch::Tensor& input_ids) {
  const int64_t L = input_ids.size(1);
  if (L > config_.max_position_embeddings) {
    fail("text encoder: ", L, " tokens exceed max_position_embeddings ",
         config_.max_position_embeddings);
  }
  auto device = input_ids.device();
  torch::Tensor positions = torch::arange(L, torch::TensorOptions().dtype(torch::kLong).device(device));
  torch::Tensor h = token_embedding_->forward(input_ids) + position_embedding_->forward(positions).unsqueeze(0);
  // Causal mask: position i attends to j <= i.
  auto opts = torch::TensorOptions().dtype(h.dtype()).device(device);
  torch::Tensor mask = torch::full({L, L}, -std::numeric_limits<float>::infinity(), opts).triu(1);
  for (auto& layer : layers_) h = layer->forward(h, mask);
  return final_layer_norm_->forward(h);  // [B, L, hidden]
}

}  // namespace hd
