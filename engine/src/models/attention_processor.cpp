#include "models/attention_processor.h"

#include <cmath>

#include <torch/version.h>

#include "common/developer_switch.h"
#include "models/cpu_attention.h"
#include "models/macs.h"

namespace hd {

torch::Tensor attention_probs(const torch::Tensor& q, const torch::Tensor& k, double scale) {
  count_attention_macs(q.size(0) * q.size(1), q.size(2), k.size(2), q.size(3), /*matmuls=*/1);
  return torch::softmax(torch::matmul(q, k.transpose(-1, -2)) * scale, -1);
}

namespace {

// Whether few_query_attention should run on this device: CUDA, at most a quarter as many
// queries as keys, scores within 512 MiB. HD_FEW_QUERY_ATTENTION=0 turns it off (to time
// both ways).
bool use_few_query_attention(const torch::Tensor& q, const torch::Tensor& k) {
  static const bool enabled = developer_switch_on("HD_FEW_QUERY_ATTENTION");
  const int64_t scores = q.size(0) * q.size(1) * q.size(2) * k.size(2);
  return enabled && q.is_cuda() && q.size(2) * 4 <= k.size(2) && scores * 4 <= (int64_t{512} << 20);
}

}  // namespace

torch::Tensor few_query_attention(const torch::Tensor& q, const torch::Tensor& k,
                                  const torch::Tensor& v, double scale) {
  torch::Tensor s = torch::matmul(q * scale, k.transpose(-1, -2));  // [B, heads, Lq, Lk]
  return torch::matmul(torch::softmax(s, -1, torch::kFloat32).to(v.scalar_type()),
                       v);  // [B, heads, Lq, d]
}

torch::Tensor scaled_dot_product_attention(const torch::Tensor& q, const torch::Tensor& k,
                                           const torch::Tensor& v, double scale) {
  count_attention_macs(q.size(0) * q.size(1), q.size(2), k.size(2), q.size(3));
  if (mac_dry_run()) return torch::empty({q.size(0), q.size(1), q.size(2), v.size(3)}, q.options());
  if (use_few_query_attention(q, k)) return few_query_attention(q, k, v, scale);
  if (cpu_attention_applies(q, k, v)) return cpu_attention(q, k, v, scale);
#if TORCH_VERSION_MAJOR >= 2
  return at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, /*dropout_p=*/0.0,
                                          /*is_causal=*/false, scale);
#else
  torch::Tensor p = torch::softmax(torch::matmul(q, k.transpose(-1, -2)) * scale, -1);
  return torch::matmul(p, v);
#endif
}

std::shared_ptr<AttnProcessor> AttnProcessor::shared() {
  static auto instance = std::make_shared<AttnProcessor>();
  return instance;
}

torch::Tensor AttnProcessor::operator()(AttentionImpl& attn, const torch::Tensor& hidden_states,
                                        const torch::Tensor& encoder_hidden_states) {
  const auto& o = attn.options();
  torch::Tensor h = hidden_states;
  const bool spatial = h.dim() == 4;
  int64_t B = h.size(0), C = 0, H = 0, W = 0;
  if (spatial) {
    C = h.size(1), H = h.size(2), W = h.size(3);
    h = h.view({B, C, H * W}).transpose(1, 2);  // [B, HW, C]
  }
  if (attn.group_norm) h = attn.group_norm->forward(h.transpose(1, 2)).transpose(1, 2);

  const torch::Tensor& context = encoder_hidden_states.defined() ? encoder_hidden_states : h;
  torch::Tensor q = attn.split_heads(linear_forward(attn.to_q, h));        // [B, heads, L, d]
  torch::Tensor k = attn.split_heads(linear_forward(attn.to_k, context));  // [B, heads, S, d]
  torch::Tensor v = attn.split_heads(linear_forward(attn.to_v, context));  // [B, heads, S, d]
  torch::Tensor out = scaled_dot_product_attention(q, k, v, attn.scale());
  out = attn.out_proj(attn.merge_heads(out));  // [B, L, query_dim]

  if (spatial) out = out.transpose(1, 2).reshape({B, C, H, W});
  if (o.residual_connection) out = out + hidden_states;
  if (o.rescale_output_factor != 1.0) out = out / o.rescale_output_factor;
  return out;
}

AttentionImpl::AttentionImpl(const AttentionOptions& options)
    : options_(options), scale_(1.0 / std::sqrt(static_cast<double>(options.dim_head))) {
  const int64_t inner = options.heads * options.dim_head;
  const int64_t kv_dim =
      options.cross_attention_dim > 0 ? options.cross_attention_dim : options.query_dim;
  if (options.norm_num_groups > 0) {
    group_norm = register_module(
        "group_norm",
        torch::nn::GroupNorm(torch::nn::GroupNormOptions(options.norm_num_groups, options.query_dim)
                                 .eps(options.eps)
                                 .affine(true)));
  }
  using torch::nn::LinearOptions;
  to_q = register_module("to_q", torch::nn::Linear(LinearOptions(options.query_dim, inner).bias(options.bias)));
  to_k = register_module("to_k", torch::nn::Linear(LinearOptions(kv_dim, inner).bias(options.bias)));
  to_v = register_module("to_v", torch::nn::Linear(LinearOptions(kv_dim, inner).bias(options.bias)));
  to_out = register_module("to_out", torch::nn::ModuleList());
  out_linear_ = torch::nn::Linear(LinearOptions(inner, options.query_dim).bias(options.out_bias));
  to_out->push_back(out_linear_);
  processor_ = AttnProcessor::shared();
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& hidden_states,
                                     const torch::Tensor& encoder_hidden_states) {
  return (*processor_)(*this, hidden_states, encoder_hidden_states);
}

void AttentionImpl::set_processor(std::shared_ptr<AttentionProcessor> processor) {
  processor_ = processor ? std::move(processor) : AttnProcessor::shared();
}

torch::Tensor AttentionImpl::split_heads(const torch::Tensor& x) const {
  return x.view({x.size(0), x.size(1), options_.heads, options_.dim_head}).transpose(1, 2);
}

torch::Tensor AttentionImpl::merge_heads(const torch::Tensor& x) const {
  return x.transpose(1, 2).reshape({x.size(0), x.size(2), options_.heads * options_.dim_head});
}

torch::Tensor AttentionImpl::out_proj(const torch::Tensor& x) {
  return linear_forward(out_linear_, x);
}

}  // namespace hd
