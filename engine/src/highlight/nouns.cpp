#include "highlight/nouns.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include <wn.h>

#include "common/error.h"

namespace hd {
namespace {

std::mutex g_wordnet_mutex;  // the WordNet library keeps global state

void ensure_wordnet() {
  static bool ok = [] { return wninit() == 0; }();
  if (!ok) {
    fail("WordNet could not be opened (install wordnet-base; WNSEARCHDIR or WNHOME may point ",
         "elsewhere)");
  }
}

// English closed-class words: they end a noun phrase and are never candidates.
const std::set<std::string>& function_words() {
  static const std::set<std::string> words = {
      "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "no",
      "and", "or", "but", "nor", "with", "without", "of", "in", "on", "at", "to", "from", "by",
      "for", "into", "onto", "over", "under", "above", "below", "beside", "besides", "between",
      "behind", "near", "next", "inside", "outside", "around", "across", "along", "against",
      "among", "upon", "off", "out", "up", "down", "through", "toward", "towards", "than",
      "as", "like", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
      "it", "its", "he", "she", "they", "them", "his", "her", "their", "i", "me", "my", "we",
      "us", "our", "you", "your", "there", "here", "very", "two", "three", "one", "while"};
  return words;
}

bool is_word(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) {
    return std::isalpha(c) || c == '-' || c >= 0x80;
  });
}

}  // namespace

bool wordnet_has_noun(const std::string& word) {
  if (!is_word(word)) return false;
  std::lock_guard<std::mutex> lock(g_wordnet_mutex);
  ensure_wordnet();
  std::string buf = word;
  if (in_wn(buf.data(), ALL_POS) & bit(NOUN)) return true;
  if (char* base = morphstr(buf.data(), NOUN)) {
    std::string b = base;
    return (in_wn(b.data(), ALL_POS) & bit(NOUN)) != 0;
  }
  return false;
}

std::vector<bool> noun_candidates(const std::vector<std::string>& words) {
  std::vector<bool> out(words.size(), false);
  const auto& stop = function_words();
  int last_noun = -1;
  auto close_run = [&] {
    if (last_noun >= 0) out[last_noun] = true;
    last_noun = -1;
  };
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!is_word(w) || stop.count(w)) {
      close_run();
      continue;
    }
    if (wordnet_has_noun(w)) last_noun = static_cast<int>(i);
  }
  close_run();
  return out;
}

}  // namespace hd
