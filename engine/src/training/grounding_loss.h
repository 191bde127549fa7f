// Cross-attention grounding loss (TokenCompose, Wang et al. 2024, "token loss"): during UNet
// training, the cross-attention map of each object's kind and colour words is pulled into
// that object's ground-truth mask. The procedural scenes come with exact masks, so the text
// encoder and the UNet learn which words name which region directly, instead of only through
// the denoising loss. This is what Highlight Diffusion relies on at inference: the noun's map
// at the collection step must cover the object.
//
// Per supervised (sample, token) pair and cross-attention layer, with a = the head-averaged
// attention of the token over the layer's h*w queries and m = the object's coverage at h x w:
//   loss = (1 - sum(a * m) / sum(a))^2
// averaged over pairs and layers.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <torch/types.h>

#include "models/attention_processor.h"

namespace hd {
struct TokenizedText;
namespace data {
struct SceneSpec;
}
}  // namespace hd

namespace hd::train {

// Token positions in `text` of the words that name the objects of `spec`: for object k (in the
// spec's order, which is the caption's order), the tokens of its kind word and of the colour
// word before it. Returns (token index, object index) pairs; objects whose words cannot be
// found (e.g. a truncated caption) are skipped. With `with_position`, a single object's
// position phrase ("in the top left") adds the tokens of its content words ("top", "left"):
// their maps must then find the object from the words alone, which teaches the UNet's
// queries where "left" and "top" are.
std::vector<std::pair<int, int>> object_tokens(const TokenizedText& text,
                                               const data::SceneSpec& spec,
                                               bool with_position = false);

// Which tokens of which samples are pulled into which masks.
struct GroundingTargets {
  torch::Tensor sample;  // [N] int64: batch index of each pair
  torch::Tensor token;   // [N] int64: token index
  torch::Tensor mask;    // [N, 1, M, M] float32: the object's coverage (0..1) at M x M
  int64_t size() const { return sample.defined() ? sample.size(0) : 0; }
};

// Replaces the processor of cross-attention layers while training: explicit probabilities
// (they carry gradients), and keeps the head-averaged probabilities of every call.
class GroundingAttnProcessor : public AttentionProcessor {
 public:
  torch::Tensor operator()(AttentionImpl& attn, const torch::Tensor& hidden_states,
                           const torch::Tensor& encoder_hidden_states) override;
  // Probabilities of the calls since the last clear(): [B, L, S] each (L = h*w queries).
  const std::vector<torch::Tensor>& probabilities() const { return probs_; }
  void clear() { probs_.clear(); }

 private:
  std::mutex mutex_;
  std::vector<torch::Tensor> probs_;
};

// The loss above for square attention maps (L = h*h); 0 (a defined scalar) when there are no
// pairs or no maps. Masks are area-resized to each map's size.
torch::Tensor grounding_loss(const std::vector<torch::Tensor>& probabilities,
                             const GroundingTargets& targets);

// TokenCompose's pixel loss: binary cross-entropy between the token's attention probability
// at each query and the object's coverage there, averaged over queries, pairs and maps. The
// token loss above is content with a peaked map anywhere inside the mask; this one asks every
// query of the object to attend to the token, so that the map covers the object -- what a
// thresholded mask (Highlight Diffusion's) needs to overlap it. Same inputs; 0 when empty.
torch::Tensor grounding_pixel_loss(const std::vector<torch::Tensor>& probabilities,
                                   const GroundingTargets& targets);

}  // namespace hd::train
