// SentencePiece tokenizer and trainer; see sentencepiece_tokenizer.h.
#include "tokenizers/sentencepiece_tokenizer.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include "common/error.h"
#include "io/atomic_file.h"
#include "tokenizers/spm_loader.h"
#include "tokenizers/unicode_tables.h"

namespace hd {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = "\xE2\x96\x81";  // U+2581, sentencepiece's word marker

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open ", path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail("cannot read ", path.string());
  return ss.str();
}

nlohmann::json read_json(const fs::path& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(path.string(), ": invalid JSON: ", e.what());
  }
}

std::string without_marker(std::string_view piece) {
  std::string out;
  for (size_t i = 0; i < piece.size();) {
    if (piece.substr(i, kMarker.size()) == kMarker) {
      i += kMarker.size();
    } else {
      out.push_back(piece[i++]);
    }
  }
  return out;
}

// Valid UTF-8 (each invalid sequence becomes U+FFFD), lowercased when asked.
std::string clean_text(std::string_view text, bool lower) {
  const std::u32string cps = unicode::decode_utf8(text);
  if (!lower) return unicode::to_utf8(cps);
  std::u32string lowered;
  lowered.reserve(cps.size());
  for (char32_t cp : cps) unicode::append_lowercase(cp, lowered);
  return unicode::to_utf8(lowered);
}

// How tokenizer_config.json / special_tokens_map.json set one special token.
struct TokenSetting {
  enum class Source { kModel, kNone, kToken } source = Source::kModel;
  std::string content;
  std::string file;  // where it was set, for error messages
};

struct Config {
  int max_length = 77;
  bool lower = false;
  TokenSetting bos, eos, unk, pad;
};

void read_token(const nlohmann::json& j, const char* key, const std::string& file,
                TokenSetting& token) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  if (it->is_null()) {
    token = {TokenSetting::Source::kNone, "", file};
  } else if (it->is_string()) {
    token = {TokenSetting::Source::kToken, it->get<std::string>(), file};
  } else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
    token = {TokenSetting::Source::kToken, (*it)["content"].get<std::string>(), file};
  } else {
    fail(file, ": \"", key, "\" must be a string, null or an object with a string \"content\"");
  }
}

Config read_config(const fs::path& folder) {
  Config config;
  for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
    const fs::path path = folder / name;
    if (!fs::exists(path)) continue;
    const nlohmann::json j = read_json(path);
    const std::string file = path.string();
    if (!j.is_object()) fail(file, ": expected a JSON object");
    if (const auto it = j.find("model_max_length"); it != j.end() && !it->is_null()) {
      if (!it->is_number()) fail(file, ": \"model_max_length\" must be a number");
      const double v = it->get<double>();
      if (v > 1e6) {
        config.max_length = 77;  // transformers writes int(1e30) for "no limit"
      } else if (v >= 2 && v == static_cast<double>(static_cast<int>(v))) {
        config.max_length = static_cast<int>(v);
      } else {
        fail(file, ": \"model_max_length\" must be an integer >= 2, not ", it->dump());
      }
    }
    if (const auto it = j.find("do_lower_case"); it != j.end() && !it->is_null()) {
      if (!it->is_boolean()) fail(file, ": \"do_lower_case\" must be true or false");
      config.lower = it->get<bool>();
    }
    read_token(j, "bos_token", file, config.bos);
    read_token(j, "eos_token", file, config.eos);
    read_token(j, "unk_token", file, config.unk);
    read_token(j, "pad_token", file, config.pad);
  }
  return config;
}

std::string display_type(const std::string& type) {
  if (type == "bpe") return "BPE";
  if (type == "unigram") return "Unigram";
  return type;
}

}  // namespace

struct SentencePieceTokenizer::Impl {
  struct Special {
    std::string text;
    int32_t id;
  };

  fs::path model_file;
  std::optional<spm::Model> model;
  Config config;
  int64_t bos = -1, eos = -1, pad = -1, unk = -1;
  std::vector<Special> specials;  // cut out of prompts before encoding
  int vocab = 0;
  std::string type;

  int64_t resolve(const TokenSetting& s, int32_t model_id, const char* role) const {
    if (s.source == TokenSetting::Source::kNone) return -1;
    if (s.source == TokenSetting::Source::kModel) return model_id;
    const int32_t id = model->piece_to_id(s.content);
    if (id < 0) {
      fail(s.file, ": ", role, " \"", s.content, "\" is not a piece of ", model_file.string());
    }
    return id;
  }

  void setup() {
    const spm::SpecialIds own = model->special_ids();
    bos = resolve(config.bos, own.bos, "bos_token");
    eos = resolve(config.eos, own.eos, "eos_token");
    unk = resolve(config.unk, own.unk, "unk_token");
    pad = resolve(config.pad, own.pad, "pad_token");
    if (unk < 0) unk = own.unk;
    if (eos < 0) {
      fail(model_file.string(), " has no EOS piece: name one as \"eos_token\" in ",
           (model_file.parent_path() / "tokenizer_config.json").string());
    }
    if (pad < 0) pad = eos;
    for (int64_t id : {bos, eos, unk, pad}) {
      if (id < 0) continue;
      std::string text = model->id_to_piece(static_cast<int32_t>(id));
      if (text.empty() || std::any_of(specials.begin(), specials.end(),
                                      [&](const Special& s) { return s.text == text; })) {
        continue;
      }
      specials.push_back({std::move(text), static_cast<int32_t>(id)});
    }
    vocab = model->vocab_size();
    type = model->model_type();
  }

  // The leftmost, then longest, special token text in s from `from`; nullptr when none.
  const Special* find_special(std::string_view s, size_t from, size_t& at) const {
    const Special* best = nullptr;
    at = std::string_view::npos;
    for (const Special& sp : specials) {
      const size_t pos = s.find(sp.text, from);
      if (pos == std::string_view::npos) continue;
      if (!best || pos < at || (pos == at && sp.text.size() > best->text.size())) {
        best = &sp;
        at = pos;
      }
    }
    return best;
  }
};

SentencePieceTokenizer::SentencePieceTokenizer(const fs::path& folder)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  for (const char* name : {"spiece.model", "tokenizer.model"}) {
    if (fs::exists(folder / name)) {
      m.model_file = folder / name;
      break;
    }
  }
  if (m.model_file.empty()) {
    fail("no SentencePiece model in ", folder.string(),
         ": expected spiece.model or tokenizer.model");
  }
  m.config = read_config(folder);
  m.model = spm::Model::from_bytes(read_file(m.model_file), m.model_file.string());
  m.setup();
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

TokenizedText SentencePieceTokenizer::encode(std::string_view text) const {
  const Impl& m = *impl_;
  TokenizedText out;
  std::vector<int32_t> ids;
  std::vector<std::string> texts;  // readable text of each prompt token
  std::vector<int> word_of;

  auto add_text = [&](std::string_view segment) {
    const spm::Encoding enc = m.model->encode(clean_text(segment, m.config.lower));
    for (size_t i = 0; i < enc.ids.size(); ++i) {
      const std::string& piece = enc.pieces[i];
      if (i == 0 || piece.starts_with(kMarker)) out.words.emplace_back();
      texts.push_back(without_marker(piece));
      out.words.back() += texts.back();
      ids.push_back(enc.ids[i]);
      word_of.push_back(static_cast<int>(out.words.size()) - 1);
    }
  };

  size_t pos = 0;
  while (pos < text.size()) {
    size_t at = 0;
    const Impl::Special* special = m.find_special(text, pos, at);
    if (!special) {
      add_text(text.substr(pos));
      break;
    }
    if (at > pos) add_text(text.substr(pos, at - pos));
    ids.push_back(special->id);
    texts.push_back(special->text);
    word_of.push_back(static_cast<int>(out.words.size()));
    out.words.push_back(special->text);
    pos = at + special->text.size();
  }

  const int max_len = m.config.max_length;
  const int reserved = m.bos >= 0 ? 2 : 1;
  out.num_prompt_tokens = static_cast<int>(ids.size());
  out.num_kept_tokens = std::min(out.num_prompt_tokens, max_len - reserved);
  out.truncated = out.num_kept_tokens < out.num_prompt_tokens;
  out.ids.reserve(max_len);
  out.tokens.reserve(max_len);
  out.word_index.reserve(max_len);
  auto push = [&](int64_t id, std::string token, int word) {
    out.ids.push_back(id);
    out.tokens.push_back(std::move(token));
    out.word_index.push_back(word);
  };
  if (m.bos >= 0) push(m.bos, token_text(m.bos), -1);
  for (int i = 0; i < out.num_kept_tokens; ++i) push(ids[i], std::move(texts[i]), word_of[i]);
  push(m.eos, token_text(m.eos), -1);
  const std::string pad_text = token_text(m.pad);
  while (static_cast<int>(out.ids.size()) < max_len) push(m.pad, pad_text, -1);
  return out;
}

int SentencePieceTokenizer::max_length() const {
  return impl_->config.max_length;
}

int SentencePieceTokenizer::vocab_size() const {
  return impl_->vocab;
}

std::string SentencePieceTokenizer::name() const {
  return str("SentencePiece ", display_type(impl_->type), " (", vocab_size(),
             " tokens, max_length ", max_length(), ")");
}

int64_t SentencePieceTokenizer::bos_id() const {
  return impl_->bos;
}
int64_t SentencePieceTokenizer::eos_id() const {
  return impl_->eos;
}
int64_t SentencePieceTokenizer::pad_id() const {
  return impl_->pad;
}
int64_t SentencePieceTokenizer::unk_id() const {
  return impl_->unk;
}

int64_t SentencePieceTokenizer::token_id(std::string_view piece) const {
  return impl_->model->piece_to_id(piece);
}

std::string SentencePieceTokenizer::token_text(int64_t id) const {
  if (id < 0 || id >= impl_->vocab) return {};
  return without_marker(impl_->model->id_to_piece(static_cast<int32_t>(id)));
}

const fs::path& SentencePieceTokenizer::model_file() const {
  return impl_->model_file;
}

// -----------------------------------------------------------------------------------------------
// Training

namespace {

// Removes the listed files when the scope ends (temporary files of a training run).
struct RemoveOnExit {
  std::vector<fs::path> paths;
  ~RemoveOnExit() {
    std::error_code ec;
    for (const fs::path& p : paths) fs::remove(p, ec);
  }
};

void write_json(const fs::path& path, const nlohmann::ordered_json& j) {
  const std::string text = j.dump(2) + "\n";
  write_file_atomic(path, text.data(), text.size());
}

}  // namespace

void train_sentencepiece(const fs::path& corpus_txt, const fs::path& out_folder,
                         const SentencePieceTrainOptions& o) {
  if (!fs::is_regular_file(corpus_txt)) {
    fail("SentencePiece training corpus ", corpus_txt.string(), " does not exist or is not a file");
  }
  if (o.unk_id < 0 || o.eos_id < 0) fail("SentencePiece training needs unk_id and eos_id >= 0");
  if (o.model_max_length < 2) fail("model_max_length must be at least 2");
  std::error_code ec;
  fs::create_directories(out_folder, ec);
  if (ec) fail("cannot create the tokenizer folder ", out_folder.string(), ": ", ec.message());

  const std::string suffix = str(".tmp-", ::getpid());
  RemoveOnExit temporary;
  fs::path corpus = corpus_txt;
  if (o.do_lower_case) {
    corpus = out_folder / ("corpus-lower.txt" + suffix);
    temporary.paths.push_back(corpus);
    std::ifstream in(corpus_txt, std::ios::binary);
    std::ofstream lowered(corpus, std::ios::binary | std::ios::trunc);
    if (!in) fail("cannot open ", corpus_txt.string());
    for (std::string line; std::getline(in, line);) lowered << clean_text(line, true) << '\n';
    lowered.close();
    if (in.bad() || !lowered) fail("cannot write the lowercased corpus ", corpus.string());
  }
  const fs::path model_tmp = out_folder / ("spiece.model" + suffix);
  temporary.paths.push_back(model_tmp);

  std::vector<const char*> symbols;
  for (const std::string& s : o.user_defined_symbols) symbols.push_back(s.c_str());
  const std::string corpus_str = corpus.string(), model_str = model_tmp.string();
  hd_spm_train_options c{};
  c.corpus_path = corpus_str.c_str();
  c.model_path = model_str.c_str();
  c.model_type = o.model_type.c_str();
  c.vocab_size = o.vocab_size;
  c.character_coverage = o.character_coverage;
  c.user_defined_symbols = symbols.data();
  c.num_user_defined_symbols = static_cast<int32_t>(symbols.size());
  c.unk_id = o.unk_id;
  c.bos_id = o.bos_id;
  c.eos_id = o.eos_id;
  c.pad_id = o.pad_id;
  c.unk_piece = o.unk_piece.c_str();
  c.bos_piece = o.bos_piece.c_str();
  c.eos_piece = o.eos_piece.c_str();
  c.pad_piece = o.pad_piece.c_str();
  c.seed = o.seed;
  c.num_threads = o.num_threads;
  c.log_level = o.verbose ? 0 : 2;
  // Messages name the corpus the user gave, not the lowercased copy.
  spm::Module::load().train(c, corpus_txt.string());
  spm::Model::from_bytes(read_file(model_tmp), str("the model trained on ", corpus_txt.string()));

  fs::rename(model_tmp, out_folder / "spiece.model", ec);
  if (ec) fail("cannot write ", (out_folder / "spiece.model").string(), ": ", ec.message());

  nlohmann::ordered_json tokens;
  if (o.bos_id >= 0) tokens["bos_token"] = o.bos_piece;
  tokens["eos_token"] = o.eos_piece;
  tokens["unk_token"] = o.unk_piece;
  tokens["pad_token"] = o.pad_id >= 0 ? o.pad_piece : o.eos_piece;
  nlohmann::ordered_json config;
  config["model_max_length"] = o.model_max_length;
  config["do_lower_case"] = o.do_lower_case;
  config["bos_token"] = o.bos_id >= 0 ? nlohmann::ordered_json(o.bos_piece) : nullptr;
  for (const char* key : {"eos_token", "unk_token", "pad_token"}) config[key] = tokens[key];
  write_json(out_folder / "tokenizer_config.json", config);
  write_json(out_folder / "special_tokens_map.json", tokens);
}

}  // namespace hd
