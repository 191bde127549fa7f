// The text tokenizer interface the pipeline uses, and load_tokenizer(), which picks an
// implementation from the files of a tokenizer folder (a Hugging Face "tokenizer" folder).

#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hd {

// The result of encoding one prompt, padded or truncated to Tokenizer::max_length() ids.
struct TokenizedText {
  std::vector<int64_t> ids;         // exactly max_length ids: BOS, prompt tokens, EOS, padding
  std::vector<std::string> tokens;  // same length: readable text of each id ("red", "star",
                                    // "<|startoftext|>", ...; BPE end-of-word marker removed)
  std::vector<int> word_index;      // same length: index into `words` of the word each token
                                    // belongs to, -1 for BOS/EOS/padding
  std::vector<std::string> words;   // the prompt's pre-tokenized words (regex pieces) in order
  int num_prompt_tokens = 0;        // tokens the prompt produced before truncation (excl. BOS/EOS)
  int num_kept_tokens = 0;          // how many of them fit
  bool truncated = false;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // Never fails on text: invalid UTF-8 and any code point are accepted.
  virtual TokenizedText encode(std::string_view text) const = 0;
  // Length of TokenizedText::ids (model_max_length, 77 for CLIP).
  virtual int max_length() const = 0;
  // Largest token id + 1.
  virtual int vocab_size() const = 0;
  // Short description for logs, e.g. "CLIP BPE (49408 tokens, max_length 77)".
  virtual std::string name() const = 0;
};

// Loads the tokenizer stored in `folder`, choosing the implementation by the files present:
// vocab.json + merges.txt -> CLIP byte-level BPE (ClipTokenizer); spiece.model or
// tokenizer.model -> SentencePiece (SentencePieceTokenizer). Throws hd::Error naming the folder
// and the files expected when no implementation recognises it, or when files are bad.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& folder);

}  // namespace hd
