#include "highlight/attention_store.h"

#include <cmath>

#include <torch/torch.h>

#include "common/error.h"
#include "models/macs.h"

namespace hd {

void AttentionStore::add(const torch::Tensor& probs, int64_t h, int64_t w) {
  if (std::min(h, w) < min_size_) return;
  const int64_t S = probs.size(2);
  torch::Tensor m = probs.mean(0).transpose(0, 1).reshape({1, S, h, w});  // [1, S, h, w]
  if (h != h_ || w != w_) {
    m = torch::nn::functional::interpolate(
        m, torch::nn::functional::InterpolateFuncOptions()
               .size(std::vector<int64_t>{h_, w_})
               .mode(torch::kBilinear)
               .align_corners(false));
  }
  m = m[0].to(torch::kCPU, torch::kFloat32);  // [S, H, W]
  std::lock_guard<std::mutex> lock(mutex_);
  sum_ = sum_.defined() ? sum_ + m : m.clone();
  ++layers_;
}

torch::Tensor AttentionStore::maps() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sum_.defined()) fail("no cross-attention maps were captured");
  return sum_ / layers_;
}

torch::Tensor CapturingAttnProcessor::operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                                 const torch::Tensor& context) {
  if (!context.defined() || hidden.dim() != 3) {
    return (*AttnProcessor::shared())(attn, hidden, context);
  }
  torch::Tensor q = attn.split_heads(linear_forward(attn.to_q, hidden));   // [B, heads, L, d]
  torch::Tensor k = attn.split_heads(linear_forward(attn.to_k, context));  // [B, heads, S, d]
  torch::Tensor v = attn.split_heads(linear_forward(attn.to_v, context));
  torch::Tensor probs = attention_probs(q, k, attn.scale());  // [B, heads, L, S]
  torch::Tensor out = torch::matmul(probs, v);                 // [B, heads, L, d]
  count_attention_macs(q.size(0) * q.size(1), q.size(2), k.size(2), q.size(3), 1);

  // The spatial size of this layer: L = h * w with the latent's aspect ratio.
  const int64_t L = hidden.size(1);
  const double ratio = static_cast<double>(latent_h_) / latent_w_;
  const int64_t w = static_cast<int64_t>(std::llround(std::sqrt(L / ratio)));
  const int64_t h = L / std::max<int64_t>(w, 1);
  if (h * w == L && cond_ < probs.size(0)) store_->add(probs[cond_].detach(), h, w);
  return attn.out_proj(attn.merge_heads(out));
}

}  // namespace hd
