// Tests of the SentencePiece tokenizer: training and encoding through the hd_spm module, in a
// process that has libtorch loaded (the point of the module: see spm_loader.h).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "tokenizers/sentencepiece_tokenizer.h"
#include "tokenizers/spm_loader.h"

namespace fs = std::filesystem;
using hd::SentencePieceTokenizer;
using hd::TokenizedText;

namespace {

// A temporary folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

// Sets an environment variable for one scope and restores the old value.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const std::string& n, const std::string& value) : name(n) {
    if (const char* v = std::getenv(n.c_str())) old = v;
    ::setenv(n.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old) {
      ::setenv(name.c_str(), old->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const hd::Error& e) {
    return e.what();
  }
  return "";
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Captions like "a small red star above a blue house on a sandy background", deterministic.
void write_corpus(const fs::path& path) {
  const char* sizes[] = {"small", "large", "tiny", "huge"};
  const char* colors[] = {"red", "blue", "green", "yellow", "purple", "orange", "white"};
  const char* shapes[] = {"star", "house", "tree", "circle", "boat", "square", "cat"};
  const char* places[] = {"above", "below", "next to", "behind", "left of"};
  const char* grounds[] = {"sandy", "grassy", "dark", "snowy", "striped"};
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < 1500; ++i) {
    out << "a " << sizes[i % 4] << " " << colors[(i / 4) % 7] << " " << shapes[(i / 28) % 7] << " "
        << places[(i / 3) % 5] << " a " << colors[(i / 5) % 7] << " " << shapes[(i / 7) % 7]
        << " on a " << grounds[(i / 11) % 5] << " background\n";
  }
}

hd::SentencePieceTrainOptions small_bpe() {
  hd::SentencePieceTrainOptions o;
  o.vocab_size = 200;
  o.model_max_length = 32;
  o.user_defined_symbols = {"<sks>"};
  return o;
}

// The shared BPE tokenizer folder, trained once per process.
const fs::path& bpe_folder() {
  static TempDir dir("hd-spm-bpe");
  static const bool trained = [] {
    write_corpus(dir.path / "corpus.txt");
    hd::train_sentencepiece(dir.path / "corpus.txt", dir.path / "tokenizer", small_bpe());
    return true;
  }();
  (void)trained;
  static const fs::path folder = dir.path / "tokenizer";
  return folder;
}

const hd::Tokenizer& bpe() {
  static const std::unique_ptr<hd::Tokenizer> tok = hd::load_tokenizer(bpe_folder());
  return *tok;
}

// Readable text of the prompt tokens, a space between words.
std::string joined_prompt(const TokenizedText& t) {
  std::string out;
  int last_word = -1;
  for (size_t i = 0; i < t.ids.size(); ++i) {
    if (t.word_index[i] < 0) continue;
    if (t.word_index[i] != last_word && !out.empty()) out += ' ';
    out += t.tokens[i];
    last_word = t.word_index[i];
  }
  return out;
}

}  // namespace

// sentencepiece runs next to libtorch, with the module's symbols kept out of the global scope.
TEST(SentencePiece, WorksNextToLibtorch) {
  const torch::Tensor a = torch::arange(6, torch::kFloat).reshape({2, 3});
  EXPECT_FLOAT_EQ(torch::matmul(a, a.t()).sum().item<float>(), 83.0f);
  EXPECT_GT(bpe().encode("a red star").num_prompt_tokens, 0);
  EXPECT_EQ(dlsym(RTLD_DEFAULT, "hd_spm_encode"), nullptr);
  EXPECT_FLOAT_EQ((torch::ones({4, 4}) * 2).sum().item<float>(), 32.0f);
}

// load_tokenizer() picks SentencePiece for a folder with spiece.model, and writes the files.
TEST(SentencePiece, LoadTokenizerPicksSentencePiece) {
  const hd::Tokenizer& tok = bpe();
  EXPECT_NE(dynamic_cast<const SentencePieceTokenizer*>(&tok), nullptr);
  EXPECT_EQ(tok.name(), "SentencePiece BPE (200 tokens, max_length 32)");
  EXPECT_EQ(tok.vocab_size(), 200);
  EXPECT_EQ(tok.max_length(), 32);
  for (const char* f : {"spiece.model", "tokenizer_config.json", "special_tokens_map.json"}) {
    EXPECT_TRUE(fs::exists(bpe_folder() / f)) << f;
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(bpe_folder()), fs::directory_iterator()), 3)
      << "no temporary files left behind";
}

// encode() gives BOS, prompt pieces, EOS, then padding to max_length, like the CLIP tokenizer.
TEST(SentencePiece, EncodeLayoutIsBosPromptEosPad) {
  const auto& tok = dynamic_cast<const SentencePieceTokenizer&>(bpe());
  EXPECT_EQ(tok.unk_id(), 0);
  EXPECT_EQ(tok.bos_id(), 1);
  EXPECT_EQ(tok.eos_id(), 2);
  EXPECT_EQ(tok.pad_id(), 3);
  const TokenizedText t = tok.encode("a small red star above a blue house on a sandy background");
  ASSERT_EQ(t.ids.size(), 32u);
  ASSERT_EQ(t.tokens.size(), 32u);
  ASSERT_EQ(t.word_index.size(), 32u);
  EXPECT_FALSE(t.truncated);
  EXPECT_EQ(t.num_kept_tokens, t.num_prompt_tokens);
  const int n = t.num_prompt_tokens;
  ASSERT_GT(n, 0);
  ASSERT_LE(n, 30);
  EXPECT_EQ(t.ids[0], 1);
  EXPECT_EQ(t.tokens[0], "<s>");
  EXPECT_EQ(t.word_index[0], -1);
  EXPECT_EQ(t.ids[n + 1], 2);
  EXPECT_EQ(t.tokens[n + 1], "</s>");
  for (int i = 1; i <= n; ++i) {
    EXPECT_GT(t.ids[i], 3) << i;
    EXPECT_GE(t.word_index[i], 0) << i;
  }
  for (int i = n + 2; i < 32; ++i) {
    EXPECT_EQ(t.ids[i], 3) << i;
    EXPECT_EQ(t.tokens[i], "<pad>") << i;
    EXPECT_EQ(t.word_index[i], -1) << i;
  }
}

// The pieces round-trip to the prompt, and word_index groups them into its words.
TEST(SentencePiece, PiecesRoundTripAndGroupIntoWords) {
  const std::string text = "a small red star above a blue house on a sandy background";
  const TokenizedText t = bpe().encode(text);
  EXPECT_EQ(joined_prompt(t), text);
  const std::vector<std::string> words = {"a",    "small", "red", "star", "above", "a",
                                          "blue", "house", "on",  "a",    "sandy", "background"};
  EXPECT_EQ(t.words, words);
  // Each word is the concatenation of its tokens, which are consecutive and in order.
  std::vector<std::string> rebuilt(t.words.size());
  int last = -1;
  for (size_t i = 0; i < t.ids.size(); ++i) {
    if (t.word_index[i] < 0) continue;
    EXPECT_GE(t.word_index[i], last);
    last = t.word_index[i];
    rebuilt[t.word_index[i]] += t.tokens[i];
    EXPECT_EQ(t.tokens[i].find("\xE2\x96\x81"), std::string::npos) << "marker left in a token";
  }
  EXPECT_EQ(rebuilt, words);
  // Unseen words and characters still round-trip (unknown text keeps its spelling).
  const TokenizedText u = bpe().encode("a red zebra \xC3\xA9t\xC3\xA9");
  EXPECT_EQ(joined_prompt(u), "a red zebra \xC3\xA9t\xC3\xA9");
  EXPECT_EQ(u.words.size(), 4u);
}

// User-defined symbols stay whole, and special-token text in a prompt keeps its id.
TEST(SentencePiece, UserSymbolsAndSpecialTokens) {
  const auto& tok = dynamic_cast<const SentencePieceTokenizer&>(bpe());
  const TokenizedText t = tok.encode("a <sks> star");
  const int64_t sks = tok.token_id("<sks>");
  ASSERT_GE(sks, 0);
  EXPECT_NE(std::find(t.ids.begin(), t.ids.end(), sks), t.ids.end());
  EXPECT_EQ(tok.token_id("no such piece"), -1);
  const TokenizedText e = tok.encode("red</s>star");
  ASSERT_GE(e.num_prompt_tokens, 3);
  EXPECT_NE(std::find(e.ids.begin() + 1, e.ids.begin() + 1 + e.num_prompt_tokens, 2),
            e.ids.begin() + 1 + e.num_prompt_tokens);
  EXPECT_EQ(e.words, (std::vector<std::string>{"red", "</s>", "star"}));
}

// A prompt longer than max_length - 2 tokens is cut, flagged, and still ends with EOS.
TEST(SentencePiece, TruncatesLongPrompts) {
  std::string text;
  for (int i = 0; i < 6; ++i) text += "a small red star above a blue house ";
  const TokenizedText t = bpe().encode(text);
  ASSERT_EQ(t.ids.size(), 32u);
  EXPECT_TRUE(t.truncated);
  EXPECT_GT(t.num_prompt_tokens, 30);
  EXPECT_EQ(t.num_kept_tokens, 30);
  EXPECT_EQ(t.ids[0], 1);
  EXPECT_EQ(t.ids[31], 2);
  EXPECT_EQ(t.word_index[31], -1);
  EXPECT_EQ(t.words.size(), 48u) << "words cover the whole prompt, not only the kept part";
  const TokenizedText empty = bpe().encode("");
  EXPECT_EQ(empty.num_prompt_tokens, 0);
  EXPECT_EQ(empty.ids[0], 1);
  EXPECT_EQ(empty.ids[1], 2);
  EXPECT_EQ(empty.ids[2], 3);
}

// Training twice on the same corpus gives the same model and the same ids.
TEST(SentencePiece, TrainingIsDeterministic) {
  TempDir dir("hd-spm-det");
  write_corpus(dir.path / "corpus.txt");
  hd::train_sentencepiece(dir.path / "corpus.txt", dir.path / "again", small_bpe());
  EXPECT_EQ(read_bytes(dir.path / "again" / "spiece.model"),
            read_bytes(bpe_folder() / "spiece.model"));
  const std::unique_ptr<hd::Tokenizer> again = hd::load_tokenizer(dir.path / "again");
  for (const char* text : {"a huge purple cat behind a white boat", "a tiny green tree"}) {
    EXPECT_EQ(again->encode(text).ids, bpe().encode(text).ids) << text;
  }
}

// A unigram model with do_lower_case trains, loads and lowercases prompts.
TEST(SentencePiece, UnigramWithLowerCase) {
  TempDir dir("hd-spm-uni");
  write_corpus(dir.path / "corpus.txt");
  hd::SentencePieceTrainOptions o;
  o.model_type = "unigram";
  o.vocab_size = 50;
  o.model_max_length = 16;
  o.do_lower_case = true;
  hd::train_sentencepiece(dir.path / "corpus.txt", dir.path / "tok", o);
  const std::unique_ptr<hd::Tokenizer> tok = hd::load_tokenizer(dir.path / "tok");
  EXPECT_EQ(tok->name(), "SentencePiece Unigram (50 tokens, max_length 16)");
  EXPECT_EQ(tok->encode("A Small RED Star").ids, tok->encode("a small red star").ids);
  EXPECT_EQ(joined_prompt(tok->encode("A Small RED Star")), "a small red star");
}

// encode() is safe to call from several threads at once.
TEST(SentencePiece, EncodeIsThreadSafe) {
  const std::vector<int64_t> expected = bpe().encode("a large yellow boat below a cat").ids;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&] {
      for (int r = 0; r < 200; ++r) {
        if (bpe().encode("a large yellow boat below a cat").ids != expected) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// HD_SPM_MODULE pointing to a bad path fails with a message naming that path and the variable.
TEST(SentencePiece, BadModulePathIsReported) {
  const fs::path bogus = fs::temp_directory_path() / "hd-no-such-dir" / "libhd_spm.so";
  {
    ScopedEnv env("HD_SPM_MODULE", bogus.string());
    const std::string e = error_of([] { SentencePieceTokenizer tok(bpe_folder()); });
    EXPECT_NE(e.find(bogus.string()), std::string::npos) << e;
    EXPECT_NE(e.find("HD_SPM_MODULE"), std::string::npos) << e;
    EXPECT_NE(e.find("not found"), std::string::npos) << e;
  }
  TempDir dir("hd-spm-badmod");
  dir.write("libhd_spm.so", "not a shared library");
  {
    ScopedEnv env("HD_SPM_MODULE", dir.path.string());  // a folder: the module file inside it
    const std::string e = error_of([] { SentencePieceTokenizer tok(bpe_folder()); });
    EXPECT_NE(e.find((dir.path / "libhd_spm.so").string()), std::string::npos) << e;
    EXPECT_NE(e.find("dlopen failed"), std::string::npos) << e;
  }
  // Without the variable, the executable's folder, the installed layout and the build tree.
  ScopedEnv env("HD_SPM_MODULE", "");
  const std::vector<hd::spm::Candidate> c = hd::spm::module_candidates();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].path.parent_path(), fs::read_symlink("/proc/self/exe").parent_path());
  EXPECT_NE(c[1].path.string().find("lib/hd-studio"), std::string::npos);
  EXPECT_TRUE(fs::exists(c[2].path)) << c[2].path;
  EXPECT_NO_THROW(SentencePieceTokenizer tok(bpe_folder()));
}

// A corrupt spiece.model gives an hd::Error naming the file.
TEST(SentencePiece, CorruptModelNamesTheFile) {
  TempDir dir("hd-spm-corrupt");
  std::string bytes = read_bytes(bpe_folder() / "spiece.model");
  dir.write("spiece.model", bytes.substr(0, bytes.size() / 3));
  const std::string e = error_of([&] { hd::load_tokenizer(dir.path); });
  EXPECT_NE(e.find((dir.path / "spiece.model").string()), std::string::npos) << e;
  dir.write("spiece.model", "garbage");
  const std::string g = error_of([&] { hd::load_tokenizer(dir.path); });
  EXPECT_NE(g.find((dir.path / "spiece.model").string()), std::string::npos) << g;
}

// Config tokens that are not in the model, and bad training input, are named in the error.
TEST(SentencePiece, BadConfigAndTrainingInputAreReported) {
  TempDir dir("hd-spm-config");
  fs::copy_file(bpe_folder() / "spiece.model", dir.path / "tokenizer.model");
  dir.write("tokenizer_config.json", R"({"bos_token": "<start>", "model_max_length": 8})");
  const std::string e = error_of([&] { hd::load_tokenizer(dir.path); });
  EXPECT_NE(e.find("tokenizer_config.json"), std::string::npos) << e;
  EXPECT_NE(e.find("<start>"), std::string::npos) << e;
  // bos_token null: no BOS, one more prompt token fits.
  dir.write("tokenizer_config.json", R"({"bos_token": null, "model_max_length": 8})");
  const TokenizedText t = hd::load_tokenizer(dir.path)->encode("a small red star");
  EXPECT_NE(t.ids[0], 1);
  EXPECT_EQ(t.ids[t.num_kept_tokens], 2);

  const std::string missing = error_of(
      [&] { hd::train_sentencepiece(dir.path / "nope.txt", dir.path / "out", small_bpe()); });
  EXPECT_NE(missing.find("nope.txt"), std::string::npos) << missing;
  write_corpus(dir.path / "corpus.txt");
  hd::SentencePieceTrainOptions too_big = small_bpe();
  too_big.vocab_size = 100000;
  too_big.do_lower_case = true;  // trains on a lowercased copy, but names the user's file
  const std::string big = error_of(
      [&] { hd::train_sentencepiece(dir.path / "corpus.txt", dir.path / "out", too_big); });
  EXPECT_NE(big.find((dir.path / "corpus.txt").string() + " failed"), std::string::npos) << big;
  EXPECT_NE(big.find("ocabulary size"), std::string::npos) << big;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path / "out"), fs::directory_iterator()), 0)
      << "no temporary files left behind";
}
