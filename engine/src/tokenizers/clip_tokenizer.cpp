// CLIP byte-level BPE tokenizer; see clip_tokenizer.h for the behaviour and its reference.
#include "tokenizers/clip_tokenizer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "tokenizers/unicode_nfc.h"
#include "tokenizers/unicode_tables.h"

namespace hd {
namespace {

using unicode::append_utf8;
using unicode::decode_utf8;
using unicode::to_utf8;

constexpr std::string_view kEndOfWord = "</w>";
constexpr size_t kMaxCachedWords = 50000;
constexpr int64_t kMaxId =
    (1 << 24) - 1;  // ids index a table: keep a bad file from exhausting memory

// ---------------------------------------------------------------------------------------------
// Byte-level alphabet: byte b stands for a printable code point. Printable Latin-1 bytes stand
// for themselves; the 68 others (controls, space, DEL, NBSP, soft hyphen) for U+0100.. in order.

struct ByteAlphabet {
  std::array<char32_t, 256> symbol{};
  std::unordered_map<char32_t, uint8_t> byte_of;

  ByteAlphabet() {
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      const bool printable =
          (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      symbol[b] = printable ? static_cast<char32_t>(b) : next++;
      byte_of[symbol[b]] = static_cast<uint8_t>(b);
    }
  }
};

const ByteAlphabet& byte_alphabet() {
  static const ByteAlphabet alphabet;
  return alphabet;
}

// ---------------------------------------------------------------------------------------------
// vocab.json: a flat JSON object {"token": id, ...}. Parsed by hand to report lines.

class VocabParser {
 public:
  VocabParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  std::vector<std::pair<std::string, int64_t>> parse() {
    std::vector<std::pair<std::string, int64_t>> entries;
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
    skip_space();
    expect('{', "expected '{' at the start of the vocabulary object");
    skip_space();
    if (peek() == '}') {
      ++pos_;
    } else {
      while (true) {
        skip_space();
        std::string key = parse_string();
        skip_space();
        expect(':', "expected ':' after a token");
        skip_space();
        const int64_t id = parse_id(key);
        entries.emplace_back(std::move(key), id);
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}', "expected ',' or '}' after an id");
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) error("unexpected text after the vocabulary object");
    return entries;
  }

  [[noreturn]] void error(const std::string& what) const { error_at(pos_, what); }

  [[noreturn]] void error_at(size_t pos, const std::string& what) const {
    const size_t end = std::min(pos, s_.size());
    const auto line = 1 + std::count(s_.begin(), s_.begin() + static_cast<ptrdiff_t>(end), '\n');
    fail(name_, ":", line, ": ", what);
  }

  size_t position() const { return pos_; }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  void expect(char c, const char* what) {
    if (pos_ >= s_.size()) error(str(what, ", found the end of the file"));
    if (s_[pos_] != c) error(what);
    ++pos_;
  }

  unsigned hex4() {
    unsigned v = 0;
    const char* begin = s_.data() + pos_;
    const char* end = s_.data() + std::min(s_.size(), pos_ + 4);
    if (std::from_chars(begin, end, v, 16).ptr != begin + 4) error("bad \\u escape");
    pos_ += 4;
    return v;
  }

  std::string parse_string() {
    expect('"', "expected a string (a token in double quotes)");
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) error("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) error("control character inside a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) error("unterminated string");
      static constexpr std::string_view kEscapes = "\"\\/bfnrt", kMeanings = "\"\\/\b\f\n\r\t";
      const char e = s_[pos_++];
      if (const size_t k = kEscapes.find(e); k != std::string_view::npos) {
        out.push_back(kMeanings[k]);
      } else if (e != 'u') {
        error(str("unknown escape \\", e, " in a string"));
      } else {
        char32_t cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) error("lone low surrogate in a \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (s_.substr(pos_, 2) != "\\u") error("high surrogate without its low surrogate");
          pos_ += 2;
          const char32_t low = hex4();
          if (low < 0xDC00 || low > 0xDFFF) error("high surrogate without its low surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(cp, out);
      }
    }
  }

  int64_t parse_id(const std::string& key) {
    const size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == '.')) {
      ++pos_;
    }
    const std::string_view num = s_.substr(start, pos_ - start);
    int64_t id = -1;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), id);
    if (num.empty() || ec != std::errc() || end != num.data() + num.size() || id < 0 ||
        id > kMaxId) {
      error_at(start, str("the id of \"", key, "\" is not an integer from 0 to ", kMaxId, " (",
                          num.empty() ? std::string(1, peek()) : std::string(num), ")"));
    }
    return id;
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open ", path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail("cannot read ", path.string());
  return ss.str();
}

// A special token given as "content" or {"content": ..., "normalized": ...}; null keeps `token`.
void read_special(const nlohmann::json& j, const char* key, const std::string& file,
                  SpecialToken& token) {
  if (!j.contains(key) || j[key].is_null()) return;
  const nlohmann::json& v = j[key];
  if (v.is_string()) {
    token = {v.get<std::string>(), false};
  } else if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    const auto normalized = v.find("normalized");
    token = {v["content"].get<std::string>(),
             normalized != v.end() && normalized->is_boolean() && normalized->get<bool>()};
  } else {
    fail(file, ": \"", key, "\" must be a string or an object with a string \"content\"");
  }
}

nlohmann::json read_json(const std::filesystem::path& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(path.string(), ": invalid JSON: ", e.what());
  }
}

// Pre-tokenizer: the pieces of the CLIP pattern in already normalized text, as [begin, end).
bool starts_with(std::u32string_view s, size_t i, std::u32string_view prefix) {
  return s.substr(i, prefix.size()) == prefix;
}

void split_words(std::u32string_view s, std::vector<std::pair<size_t, size_t>>& out) {
  static constexpr std::u32string_view kLiterals[] = {U"<|startoftext|>", U"<|endoftext|>"};
  static constexpr std::u32string_view kContractions[] = {U"'s", U"'t",  U"'re", U"'ve",
                                                          U"'m", U"'ll", U"'d"};
  size_t i = 0;
  while (i < s.size()) {
    const char32_t c = s[i];
    if (unicode::is_whitespace(c)) {
      ++i;
      continue;
    }
    bool matched = false;
    for (std::u32string_view lit : kLiterals) {
      if (!starts_with(s, i, lit)) continue;
      // The reference's byte-level pre-tokenizer splits this piece again: "<|", name, "|>".
      out.emplace_back(i, i + 2);
      out.emplace_back(i + 2, i + lit.size() - 2);
      out.emplace_back(i + lit.size() - 2, i + lit.size());
      i += lit.size();
      matched = true;
      break;
    }
    for (size_t k = 0; !matched && k < std::size(kContractions); ++k) {
      if (!starts_with(s, i, kContractions[k])) continue;
      out.emplace_back(i, i + kContractions[k].size());
      i += kContractions[k].size();
      matched = true;
    }
    if (matched) continue;
    size_t j = i + 1;
    if (unicode::is_letter(c)) {
      while (j < s.size() && unicode::is_letter(s[j])) ++j;
    } else if (!unicode::is_number(c)) {
      while (j < s.size() && !unicode::is_whitespace(s[j]) && !unicode::is_letter(s[j]) &&
             !unicode::is_number(s[j])) {
        ++j;
      }
    }
    out.emplace_back(i, j);
    i = j;
  }
}

// The reference's normalizer sequence: NFC, then each whitespace run becomes one space, then
// lowercase. Text the NFC quick check passes (ASCII, Latin-1, most NFC text) is not copied.
std::u32string normalize(std::u32string_view s) {
  std::u32string composed;
  if (!unicode::is_nfc_quick(s)) {
    composed = unicode::nfc(s);
    s = composed;
  }
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (unicode::is_whitespace(s[i])) {
      if (i == 0 || !unicode::is_whitespace(s[i - 1])) out.push_back(U' ');
      continue;
    }
    unicode::append_lowercase(s[i], out);
  }
  return out;
}

struct PairHash {
  size_t operator()(uint64_t v) const { return std::hash<uint64_t>()(v * 0x9E3779B97F4A7C15ull); }
};

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct ClipTokenizer::Impl {
  struct Merge {
    int32_t rank;
    int32_t id;  // id of the merged token
  };
  struct Special {
    std::u32string text;  // lowercased when normalized
    int32_t id;
    bool normalized;
  };
  // A piece of the prompt: special token (id >= 0) or text to pre-tokenize (id < 0).
  struct Segment {
    std::u32string text;
    int32_t id = -1;
  };

  ClipTokenizerOptions options;
  std::unordered_map<std::string, int32_t> vocab;
  std::vector<std::string> tokens;  // by id; empty where an id is unused
  std::unordered_map<uint64_t, Merge, PairHash> merges;
  std::array<int32_t, 256> byte_id{}, byte_eow_id{};
  int32_t bos = 0, eos = 0, pad = 0, unk = 0;
  std::vector<Special> specials;

  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache;

  int32_t find(std::string_view token) const {
    const auto it = vocab.find(std::string(token));
    return it == vocab.end() ? -1 : it->second;
  }

  void load_vocab(std::string_view text, const std::string& name) {
    VocabParser parser(text, name);
    auto entries = parser.parse();
    if (entries.empty()) fail(name, ": the vocabulary is empty");
    int64_t max_id = 0;
    for (const auto& [token, id] : entries) max_id = std::max(max_id, id);
    tokens.assign(static_cast<size_t>(max_id) + 1, std::string());
    std::vector<bool> used(tokens.size(), false);
    vocab.reserve(entries.size());
    for (auto& [token, id] : entries) {
      if (used[id]) {
        fail(name, ": id ", id, " is used twice, by \"", tokens[id], "\" and \"", token, "\"");
      }
      if (!vocab.emplace(token, static_cast<int32_t>(id)).second) {
        fail(name, ": token \"", token, "\" appears twice");
      }
      used[id] = true;
      tokens[id] = std::move(token);
    }
  }

  void load_merges(std::string_view text, const std::string& name, const std::string& vocab_name) {
    size_t line_no = 0, pos = 0;
    int32_t rank = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.starts_with("#version")) continue;
      const size_t space = line.find(' ');
      if (space == 0 || space == std::string_view::npos || space + 1 == line.size() ||
          line.find(' ', space + 1) != std::string_view::npos) {
        fail(name, ":", line_no, ": expected two tokens separated by one space, found \"", line,
             "\"");
      }
      const std::string_view a = line.substr(0, space), b = line.substr(space + 1);
      const std::string joined = str(a, b);
      const int32_t id_a = find(a), id_b = find(b), id_ab = find(joined);
      if (id_a < 0 || id_b < 0 || id_ab < 0) {
        const std::string_view missing = id_a < 0 ? a : id_b < 0 ? b : joined;
        fail(name, ":", line_no, ": \"", missing, "\" is not in ", vocab_name);
      }
      merges[pair_key(id_a, id_b)] = {rank++, id_ab};
    }
  }

  int32_t special_id(const SpecialToken& token, const char* role, const std::string& vocab_name) {
    const int32_t id = find(token.content);
    if (id < 0) fail(role, " token \"", token.content, "\" is not in ", vocab_name);
    return id;
  }

  void setup_specials(const std::string& vocab_name) {
    if (options.max_length < 2) {
      fail("model_max_length must be at least 2, not ", options.max_length);
    }
    bos = special_id(options.bos, "bos", vocab_name);
    eos = special_id(options.eos, "eos", vocab_name);
    unk = special_id(options.unk, "unk", vocab_name);
    pad = special_id(options.pad, "pad", vocab_name);
    // One entry per content; the last role declaring it decides "normalized".
    for (const SpecialToken* t : {&options.bos, &options.eos, &options.unk, &options.pad}) {
      const int32_t id = find(t->content);
      std::erase_if(specials, [&](const Special& s) { return s.id == id; });
      const std::u32string raw = decode_utf8(t->content);
      specials.push_back({t->normalized ? normalize(raw) : raw, id, t->normalized});
    }
    const ByteAlphabet& alphabet = byte_alphabet();
    for (int b = 0; b < 256; ++b) {
      std::string sym;
      append_utf8(alphabet.symbol[b], sym);
      byte_id[b] = find(sym);
      byte_eow_id[b] = find(sym + std::string(kEndOfWord));
    }
  }

  // Cuts the special tokens with the given "normalized" flag out of the text segments.
  void split_specials(std::vector<Segment>& segments, bool normalized) const {
    std::vector<Segment> out;
    for (Segment& seg : segments) {
      if (seg.id >= 0) {
        out.push_back(std::move(seg));
        continue;
      }
      const std::u32string& s = seg.text;
      size_t start = 0, i = 0;
      while (i < s.size()) {
        const Special* best = nullptr;
        for (const Special& sp : specials) {
          if (sp.normalized == normalized && !sp.text.empty() && starts_with(s, i, sp.text) &&
              (!best || sp.text.size() > best->text.size())) {
            best = &sp;
          }
        }
        if (!best) {
          ++i;
          continue;
        }
        if (i > start) out.push_back({s.substr(start, i - start), -1});
        out.push_back({best->text, best->id});
        i += best->text.size();
        start = i;
      }
      if (start < s.size()) out.push_back({s.substr(start), -1});
    }
    segments = std::move(out);
  }

  // BPE of one word's UTF-8 bytes: lowest merge rank first, leftmost among equal ranks.
  std::vector<int32_t> bpe(const std::string& word) const {
    {
      std::lock_guard<std::mutex> lock(cache_mutex);
      if (const auto it = cache.find(word); it != cache.end()) return it->second;
    }
    struct Symbol {
      int32_t id;
      int prev, next;
      bool alive;
    };
    std::vector<Symbol> sym(word.size());
    for (size_t i = 0; i < word.size(); ++i) {
      const auto b = static_cast<unsigned char>(word[i]);
      const int32_t id = i + 1 == word.size() ? byte_eow_id[b] : byte_id[b];
      sym[i] = {id < 0 ? unk : id, static_cast<int>(i) - 1,
                i + 1 == word.size() ? -1 : static_cast<int>(i) + 1, true};
    }
    struct Candidate {
      int32_t rank;
      int pos;
      int32_t id;
      bool operator>(const Candidate& o) const {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
      }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    auto consider = [&](int left) {
      if (left < 0 || sym[left].next < 0) return;
      const auto it = merges.find(pair_key(sym[left].id, sym[sym[left].next].id));
      if (it != merges.end()) queue.push({it->second.rank, left, it->second.id});
    };
    for (int i = 0; i + 1 < static_cast<int>(sym.size()); ++i) consider(i);
    while (!queue.empty()) {
      const Candidate top = queue.top();
      queue.pop();
      Symbol& left = sym[top.pos];
      if (!left.alive || left.next < 0) continue;
      const auto it = merges.find(pair_key(left.id, sym[left.next].id));
      if (it == merges.end() || it->second.id != top.id) continue;  // stale candidate
      Symbol& right = sym[left.next];
      left.id = top.id;
      right.alive = false;
      left.next = right.next;
      if (right.next >= 0) sym[right.next].prev = top.pos;
      consider(left.prev);
      consider(top.pos);
    }
    std::vector<int32_t> ids;
    for (const Symbol& s : sym) {
      if (s.alive) ids.push_back(s.id);
    }
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (cache.size() >= kMaxCachedWords) cache.clear();
    cache.emplace(word, ids);
    return ids;
  }

  std::string text_of(int64_t id) const {
    if (id < 0 || id >= static_cast<int64_t>(tokens.size())) return {};
    std::string_view t = tokens[id];
    if (t.ends_with(kEndOfWord)) t.remove_suffix(kEndOfWord.size());
    const ByteAlphabet& alphabet = byte_alphabet();
    std::string bytes;
    for (char32_t cp : decode_utf8(t)) {
      const auto it = alphabet.byte_of.find(cp);
      if (it != alphabet.byte_of.end())
        bytes.push_back(static_cast<char>(it->second));
      else
        append_utf8(cp, bytes);
    }
    return to_utf8(decode_utf8(bytes));  // incomplete characters become U+FFFD
  }
};

ClipTokenizer::ClipTokenizer(const std::filesystem::path& folder) {
  const std::filesystem::path vocab_path = folder / "vocab.json",
                              merges_path = folder / "merges.txt";
  impl_ = std::make_unique<Impl>();
  impl_->options = read_options(folder);
  impl_->load_vocab(read_file(vocab_path), vocab_path.string());
  impl_->load_merges(read_file(merges_path), merges_path.string(), vocab_path.string());
  impl_->setup_specials(vocab_path.string());
}

ClipTokenizer::ClipTokenizer(std::string_view vocab_json, std::string_view merges_txt,
                             ClipTokenizerOptions options, const std::string& vocab_name,
                             const std::string& merges_name)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->load_vocab(vocab_json, vocab_name);
  impl_->load_merges(merges_txt, merges_name, vocab_name);
  impl_->setup_specials(vocab_name);
}

ClipTokenizer::~ClipTokenizer() = default;

ClipTokenizerOptions ClipTokenizer::read_options(const std::filesystem::path& folder) {
  ClipTokenizerOptions options;
  for (const char* file : {"tokenizer_config.json", "special_tokens_map.json"}) {
    const std::filesystem::path path = folder / file;
    if (!std::filesystem::exists(path)) continue;
    const nlohmann::json j = read_json(path);
    if (!j.is_object()) fail(path.string(), ": expected a JSON object");
    if (const auto it = j.find("model_max_length"); it != j.end() && !it->is_null()) {
      if (!it->is_number()) fail(path.string(), ": \"model_max_length\" must be a number");
      const double v = it->get<double>();
      if (v > 1e6) {
        options.max_length = 77;  // transformers writes int(1e30) for "no limit"
      } else if (v >= 2 && v == static_cast<double>(static_cast<int>(v))) {
        options.max_length = static_cast<int>(v);
      } else {
        fail(path.string(), ": \"model_max_length\" must be an integer >= 2, not ", it->dump());
      }
    }
    read_special(j, "bos_token", path.string(), options.bos);
    read_special(j, "eos_token", path.string(), options.eos);
    read_special(j, "unk_token", path.string(), options.unk);
    read_special(j, "pad_token", path.string(), options.pad);
  }
  return options;
}

TokenizedText ClipTokenizer::encode(std::string_view text) const {
  const Impl& m = *impl_;
  std::vector<Impl::Segment> segments{{decode_utf8(text), -1}};
  m.split_specials(segments, false);
  for (Impl::Segment& seg : segments) {
    if (seg.id < 0) seg.text = normalize(seg.text);
  }
  m.split_specials(segments, true);

  TokenizedText out;
  std::vector<int32_t> ids;
  std::vector<int> word_of;
  std::vector<std::pair<size_t, size_t>> pieces;
  for (const Impl::Segment& seg : segments) {
    if (seg.id >= 0) {
      ids.push_back(seg.id);
      word_of.push_back(static_cast<int>(out.words.size()));
      out.words.push_back(to_utf8(seg.text));
      continue;
    }
    pieces.clear();
    split_words(seg.text, pieces);
    for (const auto& [begin, end] : pieces) {
      std::string word = to_utf8(std::u32string_view(seg.text).substr(begin, end - begin));
      for (int32_t id : m.bpe(word)) {
        ids.push_back(id);
        word_of.push_back(static_cast<int>(out.words.size()));
      }
      out.words.push_back(std::move(word));
    }
  }

  const int max_len = m.options.max_length;
  out.num_prompt_tokens = static_cast<int>(ids.size());
  out.num_kept_tokens = std::min(out.num_prompt_tokens, max_len - 2);
  out.truncated = out.num_kept_tokens < out.num_prompt_tokens;
  out.ids.reserve(max_len);
  out.ids.push_back(m.bos);
  out.word_index.push_back(-1);
  for (int i = 0; i < out.num_kept_tokens; ++i) {
    out.ids.push_back(ids[i]);
    out.word_index.push_back(word_of[i]);
  }
  out.ids.push_back(m.eos);
  out.word_index.push_back(-1);
  while (static_cast<int>(out.ids.size()) < max_len) {
    out.ids.push_back(m.pad);
    out.word_index.push_back(-1);
  }
  out.tokens.reserve(out.ids.size());
  for (int64_t id : out.ids) out.tokens.push_back(m.text_of(id));
  return out;
}

int ClipTokenizer::max_length() const {
  return impl_->options.max_length;
}
int ClipTokenizer::vocab_size() const {
  return static_cast<int>(impl_->tokens.size());
}

std::string ClipTokenizer::name() const {
  return str("CLIP BPE (", vocab_size(), " tokens, max_length ", max_length(), ")");
}

int64_t ClipTokenizer::bos_id() const {
  return impl_->bos;
}
int64_t ClipTokenizer::eos_id() const {
  return impl_->eos;
}
int64_t ClipTokenizer::pad_id() const {
  return impl_->pad;
}
int64_t ClipTokenizer::unk_id() const {
  return impl_->unk;
}
int64_t ClipTokenizer::token_id(std::string_view token) const {
  return impl_->find(token);
}
std::string ClipTokenizer::token_text(int64_t id) const {
  return impl_->text_of(id);
}

}  // namespace hd
