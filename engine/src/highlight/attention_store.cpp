#include "highlight/attention_store.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <torch/torch.h>

#include "common/error.h"
#include "models/macs.h"

namespace hd {

bool AttentionStore::accepts(int64_t h) {
  // Rounded: at latent sizes that are not multiples of the UNet's factors (65 -> 33 -> 17),
  // a layer still belongs to its level.
  const int factor = h > 0 ? static_cast<int>(std::lround(static_cast<double>(h_) / h)) : 0;
  std::lock_guard<std::mutex> lock(mutex_);
  seen_.insert(factor);
  return factors_.empty() || std::find(factors_.begin(), factors_.end(), factor) != factors_.end();
}

void AttentionStore::add(const torch::Tensor& probs, int64_t h, int64_t w) {
  if (!accepts(h)) return;
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
  if (!sum_.defined()) {
    auto list = [](const auto& v) {
      std::string out;
      for (int f : v) out += (out.empty() ? "" : ", ") + std::to_string(f);
      return out;
    };
    if (factors_.empty() || seen_.empty()) fail("no cross-attention maps were captured");
    fail("no cross-attention layer at map factor(s) ", list(factors_), "; this UNet's are at ",
         list(seen_));
  }
  return sum_ / layers_;
}

torch::Tensor CapturingAttnProcessor::operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                                 const torch::Tensor& context) {
  if (!context.defined() || hidden.dim() != 3) {
    return (*AttnProcessor::shared())(attn, hidden, context);
  }
  // The spatial size of this layer: L = h * w with the latent's aspect ratio.
  const int64_t L = hidden.size(1);
  const double ratio = static_cast<double>(latent_h_) / latent_w_;
  const int64_t w = static_cast<int64_t>(std::llround(std::sqrt(L / ratio)));
  const int64_t h = L / std::max<int64_t>(w, 1);
  if (h * w != L || !store_->accepts(h)) {  // not a map asked for: the fast path
    return (*AttnProcessor::shared())(attn, hidden, context);
  }
  torch::Tensor q = attn.split_heads(linear_forward(attn.to_q, hidden));   // [B, heads, L, d]
  torch::Tensor k = attn.split_heads(linear_forward(attn.to_k, context));  // [B, heads, S, d]
  torch::Tensor v = attn.split_heads(linear_forward(attn.to_v, context));
  torch::Tensor probs = attention_probs(q, k, attn.scale());  // [B, heads, L, S]
  torch::Tensor out = torch::matmul(probs, v);                 // [B, heads, L, d]
  count_attention_macs(q.size(0) * q.size(1), q.size(2), k.size(2), q.size(3), 1);
  if (cond_ < probs.size(0)) store_->add(probs[cond_].detach(), h, w);
  return attn.out_proj(attn.merge_heads(out));
}

}  // namespace hd
