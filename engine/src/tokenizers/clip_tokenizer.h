// CLIP byte-level BPE tokenizer, the text tokenizer of Stable Diffusion v1.x and v2.x.
//
// Reference: the Hugging Face `tokenizers` (Rust) implementation, i.e. transformers >= 5
// `CLIPTokenizer`, which is transformers 4.x `CLIPTokenizerFast`, called as diffusers does:
// tokenizer(prompt, padding="max_length", max_length=77, truncation=True). The golden data in
// tests/fixtures/data/tokenizer_cases.json comes from it
// (tests/fixtures/make_tokenizer_fixtures.py). It is also the closer one to OpenAI's original
// tokenizer (ftfy + regex + BPE), which trained the CLIP text encoders: transformers 4.x's slow
// CLIPTokenizer without ftfy (BERT BasicTokenizer) deletes control and format characters (so the
// ZWJ inside emoji sequences) and U+FFFD, splits CJK ideographs into one word each, applies the
// final-sigma rule when lowercasing and matches the contractions case-insensitively ("'ſ"). The
// json records where the two disagree.
//
// encode():
//  1. UTF-8 is decoded; each maximal invalid subsequence becomes U+FFFD (like Python's
//     decode(errors="replace") and Rust's from_utf8_lossy). Encoding never fails.
//  2. Special tokens (the contents of bos, eos, unk and pad) are cut out of the prompt, leftmost
//     longest first, and keep their ids. Those declared "normalized" are found in the lowercased
//     text, the others in the raw text. With SD v1's files, bos is normalized ("<|StartOfText|>"
//     matches) but eos is not, because the plain-string pad token shares its content and the
//     last declaration wins, as in transformers 5; SD 2's pad "!" cuts out every "!".
//  3. The rest is normalized, in the reference's order: Unicode NFC (unicode_nfc.h: "e" + U+0301
//     becomes "é", U+212B ANGSTROM SIGN becomes U+00C5; text the NFC quick check passes, such as
//     ASCII, is left as it is), then whitespace runs become one space, then each code point is
//     lowercased with the full mapping of the character taken alone (U+0130 -> "i" + U+0307; no
//     final sigma; the result is not normalized again).
//  4. Pre-tokenization: the matches of <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|
//     [\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+ are the words; whitespace is dropped. A literal
//     "<|startoftext|>" match is then split like the reference's byte-level pre-tokenizer does,
//     into "<|", "startoftext", "|>". The pattern is applied case-sensitively to lowercased text,
//     as the reference does.
//  5. Each word's UTF-8 bytes are mapped to the byte-level alphabet, "</w>" is appended to the last
//     one, and BPE merges are applied lowest rank first (leftmost on ties), cached per word.
//  6. At most max_length - 2 tokens are kept; BOS, EOS and pad ids fill max_length.
//
// Known differences from the reference:
//  - Character properties and NFC come from Python's Unicode tables (unicode_tables.cpp,
//    unicode_nfc.cpp, Unicode 14); the reference uses Oniguruma's and Rust's, possibly a newer
//    version: code points assigned after Unicode 14 may be classified differently, and are
//    neither decomposed nor composed nor reordered by NFC here.
//  - NFC composes U+11935 U+11930 into U+11938 DIVES AKURU VOWEL SIGN O, as Unicode and Python
//    do; the reference's NFC (Rust's unicode-normalization) leaves the pair as it is. It is the
//    only difference between the two on any code point's NFD (checked by make_nfc_tables.py).
//  - tokenizer_config.json's "added_tokens_decoder" and tokens added beyond bos/eos/unk/pad are
//    not read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "tokenizers/tokenizer.h"

namespace hd {

// A special token, cut out of the prompt before BPE and given its vocabulary id.
struct SpecialToken {
  std::string content;
  bool normalized = false;  // true: found in the lowercased text; false: in the raw text
};

// What tokenizer_config.json and special_tokens_map.json can set. The defaults are those of
// Stable Diffusion v1.x's tokenizer folder.
struct ClipTokenizerOptions {
  int max_length = 77;
  SpecialToken bos{"<|startoftext|>", true};
  SpecialToken eos{"<|endoftext|>", true};
  SpecialToken unk{"<|endoftext|>", true};
  SpecialToken pad{"<|endoftext|>", false};  // SD 2.x: "!"
};

class ClipTokenizer final : public Tokenizer {
 public:
  // Reads vocab.json and merges.txt from `folder`, and the options from its
  // tokenizer_config.json and special_tokens_map.json when present (see read_options).
  explicit ClipTokenizer(const std::filesystem::path& folder);
  // From the contents of vocab.json and merges.txt; the names are used in error messages.
  ClipTokenizer(std::string_view vocab_json, std::string_view merges_txt,
                ClipTokenizerOptions options = {}, const std::string& vocab_name = "vocab.json",
                const std::string& merges_name = "merges.txt");
  ~ClipTokenizer() override;
  ClipTokenizer(const ClipTokenizer&) = delete;
  ClipTokenizer& operator=(const ClipTokenizer&) = delete;

  // Thread-safe.
  TokenizedText encode(std::string_view text) const override;
  int max_length() const override;
  int vocab_size() const override;
  std::string name() const override;

  // Options from folder/tokenizer_config.json, overridden by folder/special_tokens_map.json
  // (as transformers does); absent files or keys keep the defaults. A token given as a string is
  // not normalized; as an object, its "normalized" field says (false when missing); when several
  // roles share one content, the last of bos, eos, unk, pad decides, like transformers 5.
  // model_max_length: default 77, values above 1,000,000 (transformers' "unset") also give 77.
  static ClipTokenizerOptions read_options(const std::filesystem::path& folder);

  int64_t bos_id() const;
  int64_t eos_id() const;
  int64_t pad_id() const;
  int64_t unk_id() const;
  // Id of a vocabulary entry in its byte-level spelling ("cat</w>"), -1 when absent.
  int64_t token_id(std::string_view token) const;
  // Readable text of an id: the bytes it stands for, without "</w>". Bytes that do not form
  // complete UTF-8 characters (a token holding part of an emoji) are shown as U+FFFD.
  std::string token_text(int64_t id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hd
