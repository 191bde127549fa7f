// load_tokenizer(): picks the tokenizer implementation from the files of a tokenizer folder.
#include "tokenizers/tokenizer.h"

#include "common/error.h"
#include "tokenizers/clip_tokenizer.h"
#include "tokenizers/sentencepiece_tokenizer.h"

namespace hd {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(folder)) {
    fail("tokenizer folder ", folder.string(), " does not exist or is not a folder");
  }
  const bool vocab = fs::exists(folder / "vocab.json");
  const bool merges = fs::exists(folder / "merges.txt");
  if (vocab && merges) return std::make_unique<ClipTokenizer>(folder);
  if (fs::exists(folder / "spiece.model") || fs::exists(folder / "tokenizer.model")) {
    return std::make_unique<SentencePieceTokenizer>(folder);
  }
  if (vocab || merges) {
    fail("tokenizer folder ", folder.string(), " has ", vocab ? "vocab.json" : "merges.txt",
         " but not ", vocab ? "merges.txt" : "vocab.json", " (a CLIP BPE tokenizer needs both)");
  }
  fail("no tokenizer found in ", folder.string(),
       ": expected vocab.json and merges.txt (CLIP byte-level BPE), or spiece.model or "
       "tokenizer.model (SentencePiece)");
}

}  // namespace hd
