// SentencePiece tokenizer (BPE or unigram model) behind the Tokenizer interface, and training of
// such a model. sentencepiece itself runs in the hd_spm module (spm_loader.h), so this code
// can share a process with libtorch and Qt whatever protobuf they carry.
//
// A tokenizer folder (Hugging Face layout) holds:
//   spiece.model (or tokenizer.model)  the sentencepiece model;
//   tokenizer_config.json              optional: model_max_length (default 77), bos_token,
//                                      eos_token, unk_token, pad_token, do_lower_case;
//   special_tokens_map.json            optional: overrides the tokens, like transformers does.
// A token is given as "content" or {"content": ...}. Unset tokens are the model's own (its bos,
// eos, unk and pad ids); "bos_token": null means no BOS; a pad token that is neither set nor in
// the model is the EOS token. The EOS token is required.
//
// encode() produces the layout a CLIP-style text encoder expects:
//   BOS, prompt tokens (at most max_length - 2, or max_length - 1 without BOS), EOS, pad...
// 1. Occurrences of the special tokens' texts in the prompt are cut out and keep their ids.
// 2. The rest: invalid UTF-8 becomes U+FFFD; with do_lower_case every code point is lowercased
//    (full mapping of the character alone); sentencepiece then normalizes (NFKC by default) and
//    encodes each piece of text separately.
// 3. Words: a piece that starts with the U+2581 marker, or begins a piece of text, starts a new
//    word; tokens are the pieces with the marker removed (unknown text keeps its spelling).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizers/tokenizer.h"

namespace hd {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Reads folder/spiece.model (or tokenizer.model) and the json files described above.
  // Throws hd::Error naming the file at fault, or listing the paths tried when the hd_spm
  // module cannot be loaded.
  explicit SentencePieceTokenizer(const std::filesystem::path& folder);
  ~SentencePieceTokenizer() override;
  SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

  // Thread-safe.
  TokenizedText encode(std::string_view text) const override;
  int max_length() const override;
  int vocab_size() const override;
  // "SentencePiece BPE (1024 tokens, max_length 32)".
  std::string name() const override;

  int64_t bos_id() const;  // -1 when there is no BOS
  int64_t eos_id() const;
  int64_t pad_id() const;
  int64_t unk_id() const;
  // Id of a piece in sentencepiece's spelling ("▁red"), -1 when absent.
  int64_t token_id(std::string_view piece) const;
  // The piece of an id with the U+2581 marker removed; "" for an id out of range.
  std::string token_text(int64_t id) const;
  // The model file that was loaded.
  const std::filesystem::path& model_file() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct SentencePieceTrainOptions {
  std::string model_type = "bpe";  // "bpe" or "unigram"
  int vocab_size = 1024;           // including the special and user-defined pieces
  double character_coverage = 1.0;
  std::vector<std::string> user_defined_symbols;       // kept whole, never split (no commas)
  int unk_id = 0, bos_id = 1, eos_id = 2, pad_id = 3;  // -1: no bos or pad (unk, eos required)
  std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
  int model_max_length = 77;   // written to tokenizer_config.json
  bool do_lower_case = false;  // lowercase the corpus and, via tokenizer_config.json, prompts
  uint32_t seed = 0;           // sentencepiece's random seed
  int num_threads = 0;         // 0: sentencepiece's default
  bool verbose = false;        // the trainer's progress log on stderr
};

// Trains a model on corpus_txt (UTF-8, one sentence per line) and writes out_folder/spiece.model,
// tokenizer_config.json and special_tokens_map.json, creating out_folder; load_tokenizer() reads
// the result. The same corpus and options give the same model. Throws hd::Error.
void train_sentencepiece(const std::filesystem::path& corpus_txt,
                         const std::filesystem::path& out_folder,
                         const SentencePieceTrainOptions& options = {});

}  // namespace hd
