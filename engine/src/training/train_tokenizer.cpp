// The default model's tokenizer: SentencePiece BPE trained on a corpus of scene captions.
#include <fstream>

#include "common/error.h"
#include "data/scene.h"
#include "data/spec_json.h"
#include "io/atomic_file.h"
#include "tokenizers/sentencepiece_tokenizer.h"
#include "training/trainers.h"

namespace hd::train {
namespace fs = std::filesystem;

void train_tokenizer(const TokenizerOptions& o) {
  const fs::path corpus = fs::temp_directory_path() / ("hd_captions_" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream out(corpus);
    if (!out) fail(corpus.string(), ": cannot write the caption corpus");
    data::SceneOptions opt;
    for (int i = 0; i < o.captions; ++i) {
      // Both splits: held-out scenes use words the training scenes also use, in new pairs.
      opt.split = (i % 10 == 0) ? data::Split::kHeldOut : data::Split::kTrain;
      const data::SceneSpec spec = data::sample_spec(3'000'000'000ull + i, opt);
      out << data::caption_for(spec, 3'000'000'000ull + i) << "\n";
    }
  }
  SentencePieceTrainOptions spm;
  spm.model_type = "bpe";
  spm.vocab_size = o.vocab_size;
  spm.model_max_length = o.max_length;
  spm.do_lower_case = true;
  spm.seed = 1;
  train_sentencepiece(corpus, o.out, spm);
  fs::remove(corpus);
}

int write_eval_prompts(const std::string& stem, int count, uint64_t seed) {
  const auto one = data::evaluation_specs(count, 1, seed);
  const auto two = data::evaluation_specs(count, 2, seed + 1);
  std::string txt, jsonl;
  int n = 0;
  for (int i = 0; i < count; ++i) {
    for (const auto* spec : {&one[i], &two[i]}) {
      const std::string caption = data::caption_for(*spec, seed * 1000 + n);
      txt += caption + "\n";
      jsonl += data::spec_to_json(*spec, caption).dump() + "\n";
      ++n;
    }
  }
  write_file_atomic(stem + ".txt", txt.data(), txt.size());
  write_file_atomic(stem + ".jsonl", jsonl.data(), jsonl.size());
  return n;
}

}  // namespace hd::train
