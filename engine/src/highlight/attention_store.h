// Capturing cross-attention probabilities at the collection step.
//
// A CapturingAttnProcessor replaces the default processor of the UNet's cross-attention
// layers (attn2) for one evaluation. It computes softmax(QK^T/sqrt(d)) explicitly -- fused
// attention never materialises it -- keeps the head-averaged probabilities of the
// conditional half of the batch, and returns the usual output. The store averages the maps
// of all captured layers after upsampling them to the latent resolution.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include <torch/types.h>

#include "models/attention_processor.h"

namespace hd {

class AttentionStore {
 public:
  // Keeps the maps of layers whose feature map is the latent downsampled by one of
  // `factors` (HighlightOptions::map_factors); empty: every layer.
  AttentionStore(int latent_h, int latent_w, std::vector<int> factors = {})
      : h_(latent_h), w_(latent_w), factors_(std::move(factors)) {}

  // Whether the maps of a layer of height h are kept (its width keeps the latent's aspect
  // ratio). Records the layer's factor, for error messages.
  bool accepts(int64_t h);
  // probs: [heads, HW, S] of one sample at spatial size h x w (ignored unless accepted).
  void add(const torch::Tensor& probs, int64_t h, int64_t w);
  // [S, latent_h, latent_w]: mean over layers (and heads) of the captured maps. Fails, naming
  // the factors asked and those the UNet's layers have, when no layer was kept.
  torch::Tensor maps() const;
  int layers() const { return layers_; }

 private:
  int h_, w_;
  std::vector<int> factors_;
  std::set<int> seen_;  // downsampling factors of the layers offered
  int layers_ = 0;
  torch::Tensor sum_;  // [S, H, W]
  mutable std::mutex mutex_;
};

class CapturingAttnProcessor : public AttentionProcessor {
 public:
  // cond_index: which batch entry is the conditional branch (1 with CFG [uncond, cond]).
  CapturingAttnProcessor(std::shared_ptr<AttentionStore> store, int64_t cond_index,
                         int64_t latent_h, int64_t latent_w)
      : store_(std::move(store)), cond_(cond_index), latent_h_(latent_h), latent_w_(latent_w) {}
  torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden_states,
                           const torch::Tensor& encoder_hidden_states) override;

 private:
  std::shared_ptr<AttentionStore> store_;
  int64_t cond_, latent_h_, latent_w_;
};

}  // namespace hd
