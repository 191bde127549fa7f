// How distinct a trained text encoder keeps the words of one class (the scenes' kinds, their
// colours). Each word is put into the same caption between `before` and `after`, and the
// final hidden state at its last token is compared, by cosine similarity, with every other
// word's. A model that draws colours but not shapes shows it here first: its kind words'
// states are nearly parallel, so its UNet's cross-attention reads almost the same thing for
// "circle" and "square".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hd::train {

struct WordSeparation {
  double mean_cos = 0;  // over all pairs of distinct words
  double max_cos = 0;   // the closest pair's
  std::string closest_a, closest_b;
};

// One class of words and the caption halves they go between.
struct WordClass {
  std::vector<std::string> words;
  std::string before, after;
};

// `model`: an exported model folder (text_encoder/, tokenizer/), loaded once for all the
// classes; one result per class, in order. Fails naming a word that is not a word of its
// tokenized caption, or a class of fewer than two words.
std::vector<WordSeparation> word_separation(const std::filesystem::path& model,
                                            const std::vector<WordClass>& classes);

}  // namespace hd::train
