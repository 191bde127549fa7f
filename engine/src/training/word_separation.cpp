#include "training/word_separation.h"

#include <torch/torch.h>

#include "common/error.h"
#include "io/model_loader.h"
#include "tokenizers/tokenizer.h"

namespace hd::train {

namespace {

WordSeparation separation(const Tokenizer& tokenizer, CLIPTextModel& te, const WordClass& c) {
  const auto& [words, before, after] = c;
  if (words.size() < 2) fail("word separation: ", words.size(), " words (at least 2 to compare)");
  const auto n = static_cast<int64_t>(words.size());
  std::vector<int64_t> ids, position;
  // The word is the caption's word number `at` ("white" may come again in `after`).
  const auto at = static_cast<int>(tokenizer.encode(before).words.size());
  for (const std::string& word : words) {
    const TokenizedText t = tokenizer.encode(before + word + after);
    if (at >= static_cast<int>(t.words.size()) || t.words[at] != word)
      fail("word separation: '", word, "' is not a word of '", before, word, after, "'");
    int64_t last = -1;  // the word's last token
    for (size_t i = 0; i < t.ids.size(); ++i) {
      if (t.word_index[i] == at) last = static_cast<int64_t>(i);
    }
    if (last < 0) fail("word separation: '", word, "' does not fit in ", t.ids.size(), " tokens");
    ids.insert(ids.end(), t.ids.begin(), t.ids.end());
    position.push_back(last);
  }
  const torch::Tensor input = torch::tensor(ids, torch::kLong).view({n, -1});  // [N, L]
  const torch::Tensor hidden = te->forward(input);                             // [N, L, D]
  const torch::Tensor states =
      hidden.index({torch::arange(n), torch::tensor(position, torch::kLong)});  // [N, D]
  const torch::Tensor unit = torch::nn::functional::normalize(
      states, torch::nn::functional::NormalizeFuncOptions().dim(1));   // [N, D]
  const torch::Tensor cos = unit.matmul(unit.t()).to(torch::kDouble);  // [N, N]
  WordSeparation s;
  s.max_cos = -2;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      const double c = cos[i][j].item<double>();
      sum += c;
      if (c > s.max_cos) {
        s.max_cos = c;
        s.closest_a = words[i];
        s.closest_b = words[j];
      }
    }
  }
  s.mean_cos = sum / static_cast<double>(n * (n - 1) / 2);
  return s;
}

}  // namespace

std::vector<WordSeparation> word_separation(const std::filesystem::path& model,
                                            const std::vector<WordClass>& classes) {
  auto tokenizer = load_tokenizer(model / "tokenizer");
  CLIPTextModel te = load_text_encoder(model / "text_encoder");
  torch::NoGradGuard no_grad;
  std::vector<WordSeparation> out;
  for (const WordClass& c : classes) out.push_back(separation(*tokenizer, te, c));
  return out;
}

}  // namespace hd::train
