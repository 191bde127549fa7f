// Tests of the CLIP BPE tokenizer against golden ids from the reference tokenizer
// (tests/fixtures/make_tokenizer_fixtures.py -> tests/fixtures/data/tokenizer_cases.json).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

// engine/src is not on the test's include path: include by path (the headers do the same).
#include "tokenizers/clip_tokenizer.h"

namespace fs = std::filesystem;
using hd::ClipTokenizer;
using hd::TokenizedText;

namespace {

const fs::path kClipFolder =
    fs::path(HD_SOURCE_DIR) / "resources/tokenizers/clip-vit-large-patch14";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& fixtures() {
  static const nlohmann::json data =
      nlohmann::json::parse(read_text(fs::path(HD_TEST_DATA_DIR) / "tokenizer_cases.json"));
  return data;
}

const ClipTokenizer& clip() {
  static const ClipTokenizer tokenizer(kClipFolder);
  return tokenizer;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The reference's unpadded ids, padded with pad_id to max_length.
std::vector<int64_t> padded(const nlohmann::json& ids, int64_t pad_id, int max_length) {
  std::vector<int64_t> out = ids.get<std::vector<int64_t>>();
  out.resize(max_length, pad_id);
  return out;
}

// A temporary folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() /
           (name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
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

// The message of the hd::Error that `f` throws ("" when it throws nothing).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const hd::Error& e) {
    return e.what();
  }
  return "";
}

// A tiny vocabulary over "a", "b" and a few specials, for in-memory tests.
const char* kTinyVocab = R"({"a": 0, "b": 1, "a</w>": 2, "b</w>": 3, "ab</w>": 4,
  "<|startoftext|>": 5, "<|endoftext|>": 6, "!": 7})";
const char* kTinyMerges = "#version: 0.2\na b</w>\n";

}  // namespace

// The real vocabulary loads with the sizes of openai/clip-vit-large-patch14 and SD v1 specials.
TEST(ClipTokenizer, LoadsRealVocabulary) {
  EXPECT_EQ(clip().vocab_size(), 49408);
  EXPECT_EQ(clip().max_length(), 77);
  EXPECT_EQ(clip().bos_id(), 49406);
  EXPECT_EQ(clip().eos_id(), 49407);
  EXPECT_EQ(clip().pad_id(), 49407);
  EXPECT_EQ(clip().unk_id(), 49407);
  EXPECT_EQ(clip().token_id("cat</w>"), 2368);
  EXPECT_EQ(clip().token_id("no such token"), -1);
  EXPECT_NE(clip().name().find("CLIP"), std::string::npos);
}

// Every golden case gives the reference's ids, padding and truncation counts.
TEST(ClipTokenizer, MatchesReferenceCases) {
  const nlohmann::json& data = fixtures();
  ASSERT_EQ(data["max_length"].get<int>(), clip().max_length());
  ASSERT_GE(data["cases"].size(), 40u);
  int known_differences = 0;
  for (const nlohmann::json& c : data["cases"]) {
    const std::string name = c["name"];
    const std::string text =
        c.contains("bytes_hex") ? from_hex(c["bytes_hex"]) : c["text"].get<std::string>();
    SCOPED_TRACE(name);
    const TokenizedText t = clip().encode(text);
    ASSERT_EQ(t.ids.size(), 77u);
    EXPECT_EQ(t.ids.front(), clip().bos_id());
    if (c.value("cpp_known_difference", false)) {
      ++known_differences;  // would be documented in clip_tokenizer.h; there are none
      continue;
    }
    EXPECT_EQ(t.ids, padded(c["ids"], clip().pad_id(), 77)) << "text: " << c["text"];
    EXPECT_EQ(t.num_prompt_tokens, c["num_prompt_tokens"].get<int>());
    EXPECT_EQ(t.truncated, c["truncated"].get<bool>());
    EXPECT_EQ(t.num_kept_tokens, static_cast<int>(c["ids"].size()) - 2);
  }
  EXPECT_EQ(known_differences, 0);
}

// NFC comes first, as in the reference: decomposed text tokenizes like composed text, and
// compatibility characters NFC keeps stay apart.
TEST(ClipTokenizer, NfcBeforeLowercase) {
  const auto ids = [](const std::string& s) { return clip().encode(s).ids; };
  EXPECT_EQ(ids("Cafe\xCC\x81 E\xCC\x81t\xC3\xA9"), ids("caf\xC3\xA9 \xC3\xA9t\xC3\xA9"));
  EXPECT_EQ(ids("\xE2\x84\xAB"), ids("\xC3\xA5"));                 // U+212B ANGSTROM SIGN -> U+00E5
  EXPECT_EQ(ids("Vie\xCC\xA3\xCC\x82t"), ids("vi\xE1\xBB\x87t"));  // marks reordered
  EXPECT_EQ(ids("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), ids("\xED\x95\x9C"));  // jamo
  EXPECT_NE(ids("\xEF\xAC\x81"), ids("fi"));  // U+FB01 LIGATURE FI: NFKC only
  // U+0130 is NFC; lowercased it is "i" U+0307, which no NFC step follows (none would change it).
  EXPECT_EQ(ids("\xC4\xB0"), ids("i\xCC\x87"));
  const std::vector<int64_t> dotted_i = ids("\xC4\xB0");
  EXPECT_EQ(std::vector<int64_t>(dotted_i.begin(), dotted_i.begin() + 4),
            (std::vector<int64_t>{49406, 328, 16384, 49407}));  // the reference's ids
  EXPECT_NE(ids("\xC4\xB0"), ids("i"));
}

// "a red star": words are the regex pieces, tokens their text, word_index links them.
TEST(ClipTokenizer, TokensAndWordsOfSimplePrompt) {
  const TokenizedText t = clip().encode("  A Red   STAR ");
  EXPECT_EQ(t.words, (std::vector<std::string>{"a", "red", "star"}));
  ASSERT_EQ(t.tokens.size(), 77u);
  ASSERT_EQ(t.word_index.size(), 77u);
  EXPECT_EQ(std::vector<std::string>(t.tokens.begin(), t.tokens.begin() + 6),
            (std::vector<std::string>{"<|startoftext|>", "a", "red", "star", "<|endoftext|>",
                                      "<|endoftext|>"}));
  EXPECT_EQ(std::vector<int>(t.word_index.begin(), t.word_index.begin() + 6),
            (std::vector<int>{-1, 0, 1, 2, -1, -1}));
  EXPECT_EQ(t.num_prompt_tokens, 3);
  EXPECT_EQ(t.num_kept_tokens, 3);
  EXPECT_FALSE(t.truncated);
}

// Words split into several tokens map every token back to the word; texts concatenate to it.
TEST(ClipTokenizer, MultiTokenWordsMapBack) {
  const TokenizedText t = clip().encode("supercalifragilistic don't, 3.14");
  EXPECT_EQ(t.words, (std::vector<std::string>{"supercalifragilistic", "don", "'t", ",", "3", ".",
                                               "1", "4"}));
  std::vector<std::string> rebuilt(t.words.size());
  int previous = 0;
  for (int i = 1; i <= t.num_kept_tokens; ++i) {
    const int w = t.word_index[i];
    ASSERT_GE(w, previous);  // in order
    ASSERT_LT(w, static_cast<int>(t.words.size()));
    rebuilt[w] += t.tokens[i];
    previous = w;
  }
  EXPECT_EQ(rebuilt, t.words);
  EXPECT_GT(t.num_prompt_tokens, static_cast<int>(t.words.size()));  // the long word splits
}

// word_index is -1 exactly for BOS, EOS and padding, and in range elsewhere, for all cases.
TEST(ClipTokenizer, WordIndexConsistentForAllCases) {
  for (const nlohmann::json& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const TokenizedText t = clip().encode(c["text"].get<std::string>());
    ASSERT_EQ(t.tokens.size(), t.ids.size());
    ASSERT_EQ(t.word_index.size(), t.ids.size());
    for (size_t i = 0; i < t.ids.size(); ++i) {
      const bool prompt = i >= 1 && i <= static_cast<size_t>(t.num_kept_tokens);
      if (!prompt) {
        EXPECT_EQ(t.word_index[i], -1) << i;
        continue;
      }
      EXPECT_GE(t.word_index[i], 0) << i;
      EXPECT_LT(t.word_index[i], static_cast<int>(t.words.size())) << i;
      if (i > 1) {
        EXPECT_GE(t.word_index[i], t.word_index[i - 1]) << i;
      }
    }
  }
}

// Special tokens written in the prompt keep their ids, are words, and show their text.
TEST(ClipTokenizer, LiteralSpecialTokensInPrompt) {
  const TokenizedText t = clip().encode("a<|endoftext|>b <|StartOfText|>");
  EXPECT_EQ(std::vector<int64_t>(t.ids.begin(), t.ids.begin() + 6),
            (std::vector<int64_t>{49406, 320, 49407, 321, 49406, 49407}));
  EXPECT_EQ(t.words, (std::vector<std::string>{"a", "<|endoftext|>", "b", "<|startoftext|>"}));
  EXPECT_EQ(t.tokens[2], "<|endoftext|>");
  EXPECT_EQ(t.word_index[4], 3);
}

// Tokens holding part of a UTF-8 character read as U+FFFD; whole characters read as themselves.
TEST(ClipTokenizer, TokenTextOfPartialCharacters) {
  const TokenizedText t = clip().encode("caf\xC3\xA9 \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB");
  EXPECT_EQ(t.tokens[1], "caf\xC3\xA9");
  for (int i = 2; i <= t.num_kept_tokens; ++i) {
    EXPECT_FALSE(t.tokens[i].empty());
    EXPECT_EQ(t.word_index[i], 1);
  }
  EXPECT_EQ(clip().token_text(clip().token_id("\xC3\xB0\xC5\x81")), "\xEF\xBF\xBD");  // F0 9F
}

// Over-long prompts keep the first 75 tokens and report how many there were.
TEST(ClipTokenizer, TruncationReporting) {
  std::string prompt;
  for (int i = 0; i < 100; ++i) prompt += "cat ";
  const TokenizedText t = clip().encode(prompt);
  EXPECT_EQ(t.num_prompt_tokens, 100);
  EXPECT_EQ(t.num_kept_tokens, 75);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.ids[75], 2368);
  EXPECT_EQ(t.ids[76], 49407);
  EXPECT_EQ(t.words.size(), 100u);  // all words, also those cut off
  EXPECT_EQ(t.word_index[75], 74);

  const TokenizedText exact = clip().encode(prompt.substr(0, 75 * 4));
  EXPECT_EQ(exact.num_prompt_tokens, 75);
  EXPECT_EQ(exact.num_kept_tokens, 75);
  EXPECT_FALSE(exact.truncated);
  EXPECT_EQ(exact.ids, t.ids);
}

// Config files: pad "!" (SD 2) pads with id 0 and cuts out every "!"; model_max_length is read.
TEST(ClipTokenizer, PadBangConfigFromFolder) {
  TempDir dir("hd-clip-pad-bang");
  fs::copy_file(kClipFolder / "vocab.json", dir.path / "vocab.json");
  fs::copy_file(kClipFolder / "merges.txt", dir.path / "merges.txt");
  dir.write("tokenizer_config.json", R"({"model_max_length": 77, "pad_token": "<|endoftext|>"})");
  dir.write("special_tokens_map.json", R"({"pad_token": "!",
    "bos_token": {"content": "<|startoftext|>", "normalized": true}})");
  const hd::ClipTokenizerOptions options = ClipTokenizer::read_options(dir.path);
  EXPECT_EQ(options.pad.content, "!");
  EXPECT_FALSE(options.pad.normalized);
  EXPECT_TRUE(options.bos.normalized);

  const std::unique_ptr<hd::Tokenizer> loaded = hd::load_tokenizer(dir.path);
  const auto& tok = dynamic_cast<const ClipTokenizer&>(*loaded);
  EXPECT_EQ(tok.pad_id(), 0);
  for (const nlohmann::json& c : fixtures()["pad_bang_cases"]) {
    SCOPED_TRACE(c["text"].get<std::string>());
    const TokenizedText t = tok.encode(c["text"].get<std::string>());
    EXPECT_EQ(t.ids, padded(c["ids"], 0, 77));
    EXPECT_EQ(t.tokens.back(), "!");
  }

  dir.write("tokenizer_config.json", R"({"model_max_length": 1000000000000000019884624838656})");
  EXPECT_EQ(ClipTokenizer::read_options(dir.path).max_length, 77);  // transformers' "no limit"
  dir.write("tokenizer_config.json", R"({"model_max_length": 1})");
  const std::string bad = error_of([&] { ClipTokenizer::read_options(dir.path); });
  EXPECT_NE(bad.find("tokenizer_config.json"), std::string::npos) << bad;
  dir.write("tokenizer_config.json", R"({"model_max_length": 8})");
  const TokenizedText short_ids = ClipTokenizer(dir.path).encode("a b c d e f g h");
  EXPECT_EQ(short_ids.ids.size(), 8u);
  EXPECT_EQ(short_ids.num_kept_tokens, 6);
  EXPECT_TRUE(short_ids.truncated);
}

// Malformed vocab.json: hd::Error naming the file and the line.
TEST(ClipTokenizer, MalformedVocabNamesFileAndLine) {
  const auto vocab_error = [](const std::string& vocab) {
    return error_of([&] { ClipTokenizer(vocab, kTinyMerges, {}, "my/vocab.json"); });
  };
  EXPECT_NE(vocab_error("{\"a\": 0,\n\"b\" 1}").find("my/vocab.json:2:"), std::string::npos);
  EXPECT_NE(vocab_error("{\"a\": 0,\n\n\"b\": 1.5}").find("my/vocab.json:3:"), std::string::npos);
  EXPECT_NE(vocab_error("{\"a\": 0,\n\"a\": 1}").find("appears twice"), std::string::npos);
  EXPECT_NE(vocab_error("{\"a\": 0, \"b\": 0}").find("used twice"), std::string::npos);
  EXPECT_NE(vocab_error("{\"a\": -1}").find("my/vocab.json:1:"), std::string::npos);
  EXPECT_NE(vocab_error("[1, 2]").find("my/vocab.json:1:"), std::string::npos);
  EXPECT_NE(vocab_error("{\"a\": 0").find("end of the file"), std::string::npos);
  EXPECT_NE(vocab_error("{}").find("my/vocab.json"), std::string::npos);
  // Special tokens missing from the vocabulary are named.
  EXPECT_NE(vocab_error(R"({"a": 0, "b": 1, "b</w>": 2, "ab</w>": 3})").find("<|startoftext|>"),
            std::string::npos);
  // A file on disk is named by its path.
  TempDir dir("hd-clip-bad-vocab");
  dir.write("vocab.json", "{\"a\": 0,\n\"b\": x}");
  dir.write("merges.txt", kTinyMerges);
  const std::string e = error_of([&] { ClipTokenizer tok(dir.path); });
  EXPECT_NE(e.find((dir.path / "vocab.json").string() + ":2:"), std::string::npos) << e;
}

// Malformed merges.txt: hd::Error naming the file and the line.
TEST(ClipTokenizer, MalformedMergesNamesFileAndLine) {
  const auto merges_error = [](const std::string& merges) {
    return error_of([&] { ClipTokenizer(kTinyVocab, merges, {}, "vocab.json", "m.txt"); });
  };
  EXPECT_EQ(merges_error(kTinyMerges), "");
  EXPECT_NE(merges_error("#version: 0.2\na b</w>\na b c\n").find("m.txt:3:"), std::string::npos);
  EXPECT_NE(merges_error("a\n").find("m.txt:1:"), std::string::npos);
  EXPECT_NE(merges_error("#version: 0.2\n\na  b\n").find("m.txt:3:"), std::string::npos);
  const std::string unknown = merges_error("#version: 0.2\nx y\n");
  EXPECT_NE(unknown.find("m.txt:2:"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("\"x\" is not in vocab.json"), std::string::npos) << unknown;
  EXPECT_NE(merges_error("b a\n").find("\"ba\" is not in"), std::string::npos);
}

// In-memory vocabulary: merges apply, missing byte symbols become unk, CRLF merges work.
TEST(ClipTokenizer, InMemoryVocabulary) {
  hd::ClipTokenizerOptions options;
  options.max_length = 5;
  const ClipTokenizer tok(kTinyVocab, "#version: 0.2\r\na b</w>\r\n", options);
  EXPECT_EQ(tok.vocab_size(), 8);
  const TokenizedText t = tok.encode("AB ba c");
  EXPECT_EQ(t.ids, (std::vector<int64_t>{5, 4, 1, 2, 6}));
  EXPECT_EQ(t.words, (std::vector<std::string>{"ab", "ba", "c"}));
  EXPECT_EQ(t.num_prompt_tokens, 4);  // "c" -> unk (6), cut off
  EXPECT_EQ(t.num_kept_tokens, 3);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.tokens[1], "ab");
}

// Invalid UTF-8 never throws or crashes, and each bad sequence reads as U+FFFD.
TEST(ClipTokenizer, InvalidUtf8DoesNotCrash) {
  EXPECT_EQ(clip().encode("caf\xC3").ids, clip().encode("caf\xEF\xBF\xBD").ids);
  EXPECT_EQ(clip().encode("\xF0\x9F\x98").ids, clip().encode("\xEF\xBF\xBD").ids);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 120);
  for (int n = 0; n < 500; ++n) {
    std::string s(length(rng), '\0');
    for (char& c : s) c = static_cast<char>(byte(rng));
    TokenizedText t;
    ASSERT_NO_THROW(t = clip().encode(s));
    ASSERT_EQ(t.ids.size(), 77u);
    ASSERT_EQ(t.tokens.size(), 77u);
  }
  EXPECT_NO_THROW(clip().encode(std::string("a\0b", 3)));
}

// Concurrent encode() calls (shared BPE cache) give the same results as serial ones.
TEST(ClipTokenizer, ThreadSafeEncode) {
  std::vector<std::string> texts;
  for (const nlohmann::json& c : fixtures()["cases"]) texts.push_back(c["text"]);
  std::vector<std::vector<int64_t>> expected;
  for (const std::string& s : texts) expected.push_back(clip().encode(s).ids);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&] {
      for (int r = 0; r < 5; ++r) {
        for (size_t i = 0; i < texts.size(); ++i) {
          if (clip().encode(texts[i]).ids != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// load_tokenizer names the folder and the files it expected when none are there.
TEST(ClipTokenizer, LoadTokenizerReportsMissingFiles) {
  TempDir dir("hd-clip-empty");
  const std::string empty = error_of([&] { hd::load_tokenizer(dir.path); });
  EXPECT_NE(empty.find(dir.path.string()), std::string::npos) << empty;
  EXPECT_NE(empty.find("vocab.json"), std::string::npos) << empty;
  EXPECT_NE(empty.find("merges.txt"), std::string::npos) << empty;

  dir.write("vocab.json", kTinyVocab);
  const std::string half = error_of([&] { hd::load_tokenizer(dir.path); });
  EXPECT_NE(half.find("not merges.txt"), std::string::npos) << half;

  const std::string missing = error_of([&] { hd::load_tokenizer(dir.path / "nope"); });
  EXPECT_NE(missing.find("nope"), std::string::npos) << missing;

  const std::unique_ptr<hd::Tokenizer> tok = hd::load_tokenizer(kClipFolder);
  EXPECT_EQ(tok->vocab_size(), 49408);
  EXPECT_EQ(tok->encode("a photo of a cat").ids[5], 2368);
}

// The hand-made vocabulary of the pipeline fixture (a different vocab size, BOS/EOS ids and
// merges) gives exactly the input_ids diffusers feeds its text encoder, truncation included.
TEST(ClipTokenizer, HandMadeVocabularyMatchesPipelineInputs) {
  const fs::path data = HD_TEST_DATA_DIR;
  std::ifstream in(data / "tokenizer_a_cases.json");
  const nlohmann::json cases = nlohmann::json::parse(in);
  const std::unique_ptr<hd::Tokenizer> tok = hd::load_tokenizer(data / "pipeline_a" / "tokenizer");
  EXPECT_EQ(tok->vocab_size(), cases["vocab_size"].get<int>());
  ASSERT_GE(cases["cases"].size(), 5u);
  int nfc_cases = 0;
  for (const nlohmann::json& c : cases["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto tags = c.value("tags", std::vector<std::string>{});
    nfc_cases += std::find(tags.begin(), tags.end(), "nfc") != tags.end();  // decomposed input
    const hd::TokenizedText t = tok->encode(c["text"].get<std::string>());
    EXPECT_EQ(t.ids, c["input_ids"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.num_prompt_tokens, static_cast<int>(c["ids"].size()));
  }
  EXPECT_GE(nfc_cases, 1);
}
