#include "training/grounding_loss.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string>

#include <torch/torch.h>

#include "common/error.h"
#include "data/scene.h"
#include "models/macs.h"
#include "tokenizers/tokenizer.h"

namespace hd::train {

namespace {

// "Star," -> "star": word pieces may carry punctuation.
std::string letters(const std::string& word) {
  std::string out;
  for (char c : word) {
    if (std::isalpha(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::vector<std::pair<int, int>> object_tokens(const TokenizedText& text,
                                               const data::SceneSpec& spec, bool with_position) {
  std::vector<std::string> words;
  for (const auto& w : text.words) words.push_back(letters(w));
  std::vector<std::pair<int, int>> chosen;  // (caption word, object it names)
  int cursor = 0;  // objects appear in the caption in the spec's order
  for (size_t k = 0; k < spec.objects.size(); ++k) {
    const auto& o = spec.objects[k];
    int kind = -1;
    for (int w = cursor; w < static_cast<int>(words.size()); ++w) {
      if (words[w] == o.kind) {
        kind = w;
        break;
      }
    }
    if (kind < 0) continue;
    cursor = kind + 1;
    if (kind > 0 && words[kind - 1] == o.colour) chosen.emplace_back(kind - 1, static_cast<int>(k));
    chosen.emplace_back(kind, static_cast<int>(k));
  }
  // A single object's position phrase ("in the top left"): its content words, found as the
  // whole phrase after the object's kind word.
  if (with_position && spec.objects.size() == 1 && !chosen.empty()) {
    std::vector<std::string> phrase;
    std::istringstream in(spec.relation);
    for (std::string w; in >> w;) phrase.push_back(w);
    const int n = static_cast<int>(phrase.size());
    for (int start = chosen.back().first + 1; start + n <= static_cast<int>(words.size());
         ++start) {
      if (!std::equal(phrase.begin(), phrase.end(), words.begin() + start)) continue;
      for (int i = 0; i < n; ++i) {
        const std::string& w = phrase[i];
        if (w == "in" || w == "the" || w == "on" || w == "at") continue;
        chosen.emplace_back(start + i, 0);
      }
      break;
    }
  }
  std::vector<std::pair<int, int>> out;
  for (int t = 0; t < static_cast<int>(text.word_index.size()); ++t) {
    const int w = text.word_index[t];
    if (w < 0) continue;
    for (const auto& [word, object] : chosen) {
      if (word == w) out.emplace_back(t, object);
    }
  }
  return out;
}

torch::Tensor GroundingAttnProcessor::operator()(AttentionImpl& attn, const torch::Tensor& hidden,
                                                 const torch::Tensor& context) {
  if (!context.defined() || hidden.dim() != 3)
    return (*AttnProcessor::shared())(attn, hidden, context);
  torch::Tensor q = attn.split_heads(linear_forward(attn.to_q, hidden));   // [B, heads, L, d]
  torch::Tensor k = attn.split_heads(linear_forward(attn.to_k, context));  // [B, heads, S, d]
  torch::Tensor v = attn.split_heads(linear_forward(attn.to_v, context));  // [B, heads, S, d]
  torch::Tensor probs = attention_probs(q, k, attn.scale());               // [B, heads, L, S]
  torch::Tensor out = torch::matmul(probs, v);                             // [B, heads, L, d]
  {
    std::lock_guard<std::mutex> lock(mutex_);
    probs_.push_back(probs.mean(1));  // [B, L, S]
  }
  return attn.out_proj(attn.merge_heads(out));
}

namespace {

// Mean over the maps of `per_map(a, m)`, with a [N, L] the supervised tokens' probabilities
// at one map's L = side^2 queries and m [N, L] their objects' coverage pooled to that side.
template <typename PerMap>
torch::Tensor mean_over_maps(const std::vector<torch::Tensor>& probabilities,
                             const GroundingTargets& targets, const char* what, PerMap per_map) {
  const int64_t N = targets.size();
  torch::Tensor total = torch::zeros({}, torch::kFloat32);
  if (N == 0 || probabilities.empty())
    return probabilities.empty() ? total : total.to(probabilities[0].device());
  const torch::Device device = probabilities[0].device();
  total = total.to(device);
  const torch::Tensor sample = targets.sample.to(device), token = targets.token.to(device);
  const torch::Tensor mask = targets.mask.to(device);  // [N, 1, M, M]
  for (const auto& p : probabilities) {
    const int64_t L = p.size(1);
    const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(L))));
    if (side * side != L) fail(what, ": a cross-attention map of ", L, " queries is not square");
    // a[n, l] = p[sample[n], l, token[n]]
    torch::Tensor a = p.index_select(0, sample)                                // [N, L, S]
                          .gather(2, token.view({N, 1, 1}).expand({N, L, 1}))  // [N, L, 1]
                          .squeeze(2)
                          .to(torch::kFloat32);  // [N, L]
    torch::Tensor m = mask;
    if (m.size(-1) != side) m = torch::adaptive_avg_pool2d(m, {side, side});
    total = total + per_map(a, m.reshape({N, L}));
  }
  return total / static_cast<double>(probabilities.size());
}

}  // namespace

torch::Tensor grounding_loss(const std::vector<torch::Tensor>& probabilities,
                             const GroundingTargets& targets) {
  return mean_over_maps(probabilities, targets, "grounding_loss",
                        [](const torch::Tensor& a, const torch::Tensor& m) {
                          torch::Tensor inside = (a * m).sum(1) / a.sum(1).clamp_min(1e-8);  // [N]
                          return (1 - inside).pow(2).mean();
                        });
}

torch::Tensor grounding_pixel_loss(const std::vector<torch::Tensor>& probabilities,
                                   const GroundingTargets& targets) {
  return mean_over_maps(probabilities, targets, "grounding_pixel_loss",
                        [](const torch::Tensor& a, const torch::Tensor& m) {
                          return torch::binary_cross_entropy(a.clamp(1e-6, 1 - 1e-6), m);  // mean
                        });
}

}  // namespace hd::train
