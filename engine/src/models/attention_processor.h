// Attention with swappable processors (diffusers models/attention_processor.py:
// Attention, AttnProcessor2_0).
//
// The module owns the projections (to_q, to_k, to_v, to_out.0 and, for the VAE's
// spatial attention, group_norm); the arithmetic is delegated to an AttentionProcessor,
// so that the highlight engine can plug in a processor that captures cross-attention
// probabilities or computes only active tokens, without touching the models.
#pragma once

#include <memory>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace hd {

struct AttentionOptions {
  int64_t query_dim = 0;
  int64_t cross_attention_dim = 0;  // 0: self-attention (keys/values from the queries' input)
  int64_t heads = 8;
  int64_t dim_head = 64;
  bool bias = false;              // bias of to_q / to_k / to_v
  bool out_bias = true;           // bias of to_out.0
  int64_t norm_num_groups = 0;    // >0: a GroupNorm named group_norm on the input (VAE)
  double eps = 1e-5;              // of that GroupNorm
  bool residual_connection = false;
  double rescale_output_factor = 1.0;
};

class AttentionImpl;

// Computes attention for one Attention module. Implementations must not keep references
// to the tensors they are given beyond the call unless that is their purpose (capture).
class AttentionProcessor {
 public:
  virtual ~AttentionProcessor() = default;
  // hidden_states: [B, L, C] or [B, C, H, W] (spatial, VAE); encoder_hidden_states:
  // [B, S, D], or undefined for self-attention. Returns the same shape as hidden_states.
  virtual torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden_states,
                                   const torch::Tensor& encoder_hidden_states) = 0;
};

// The default: fused scaled-dot-product attention (explicit softmax on libtorch < 2).
class AttnProcessor : public AttentionProcessor {
 public:
  torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden_states,
                           const torch::Tensor& encoder_hidden_states) override;
  static std::shared_ptr<AttnProcessor> shared();
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const AttentionOptions& options);

  torch::Tensor forward(const torch::Tensor& hidden_states,
                        const torch::Tensor& encoder_hidden_states = {});

  void set_processor(std::shared_ptr<AttentionProcessor> processor);
  const std::shared_ptr<AttentionProcessor>& processor() const { return processor_; }
  const AttentionOptions& options() const { return options_; }
  bool is_cross_attention() const { return options_.cross_attention_dim > 0; }
  double scale() const { return scale_; }

  // [B, L, heads*dim_head] <-> [B, heads, L, dim_head]
  torch::Tensor split_heads(const torch::Tensor& x) const;
  torch::Tensor merge_heads(const torch::Tensor& x) const;

  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out{nullptr};  // [Linear]; diffusers' Dropout at index 1 has no weights
  torch::nn::GroupNorm group_norm{nullptr};

  torch::Tensor out_proj(const torch::Tensor& x);  // to_out.0

 private:
  AttentionOptions options_;
  double scale_;
  torch::nn::Linear out_linear_{nullptr};  // the module at to_out.0
  std::shared_ptr<AttentionProcessor> processor_;
};
TORCH_MODULE(Attention);

// softmax(q k^T * scale) v with q, k, v: [B, heads, L, d]; counts MACs. On CUDA, few queries
// against many keys (a partial step's active tokens against a whole map) take
// few_query_attention; on CPUs with AVX-512, inference takes cpu_attention (cpu_attention.h).
torch::Tensor scaled_dot_product_attention(const torch::Tensor& q, const torch::Tensor& k,
                                           const torch::Tensor& v, double scale);

// The same as batched matrix products with a float32 softmax (scores [B, heads, Lq, Lk] in
// memory). Fused attention kernels parallelise over query blocks and walk the keys in
// sequence, so a few hundred queries against 4,096 keys leave most of a GPU idle (SD v1.4's
// 5% partial step on an H100: 3 ms of level-0 self-attention in float32, against 11.9 ms for
// all 4,096 queries); two GEMMs spread over the keys. Counts no MACs.
torch::Tensor few_query_attention(const torch::Tensor& q, const torch::Tensor& k,
                                  const torch::Tensor& v, double scale);

// Explicit attention probabilities softmax(q k^T * scale): [B, heads, Lq, Lk].
torch::Tensor attention_probs(const torch::Tensor& q, const torch::Tensor& k, double scale);

}  // namespace hd
