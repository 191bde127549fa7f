// Captions of scene specs: plain English with a little deterministic variety.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/scene.h"
#include "data/scene_internal.h"

namespace hd::data {
namespace {

std::string with_article(const std::string& phrase) {
  const char c = phrase.empty() ? 'x' : phrase[0];
  const bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return (vowel ? "an " : "a ") + phrase;
}

// "a small red star", "an orange ring" (medium is never said).
std::string object_phrase(const ObjectSpec& o) {
  std::string words = o.size == "medium" ? "" : o.size + " ";
  words += o.colour + " " + o.kind;
  return with_article(words);
}

std::string relation_phrase(const std::string& rel, Rng& rng) {
  if (rel == "left of") return rng.chance(0.7) ? "to the left of" : "left of";
  if (rel == "right of") return rng.chance(0.7) ? "to the right of" : "right of";
  return rel;  // above, below, next to
}

int word_count(const std::string& s) {
  std::istringstream in(s);
  std::string w;
  int n = 0;
  while (in >> w) ++n;
  return n;
}

}  // namespace

std::string caption_for(const SceneSpec& spec, uint64_t variant_seed) {
  validate_spec(spec);
  Rng rng(derive_seed(variant_seed, 0xCA97));
  static const char* kPrefixes[] = {"", "", "", "a picture of ", "an image of ", "a drawing of "};
  const std::string prefix = kPrefixes[rng.below(6)];
  const auto& bg_phrases = detail::background_phrases(detail::background_index(spec.background));
  std::string bg = bg_phrases[rng.below(static_cast<int>(bg_phrases.size()))];

  const auto& o = spec.objects;
  const int form = rng.below(2);
  const std::string rel = o.size() == 2 ? relation_phrase(spec.relation, rng) : "";
  auto body = [&](const std::string& background) {
    if (o.size() == 1) {
      if (spec.relation.empty()) return object_phrase(o[0]) + " " + background;
      return form == 0 ? object_phrase(o[0]) + " " + spec.relation + " " + background
                       : object_phrase(o[0]) + " " + background + ", " + spec.relation;
    }
    if (o.size() == 2)
      return object_phrase(o[0]) + " " + rel + " " + object_phrase(o[1]) + " " + background;
    return object_phrase(o[0]) + ", " + object_phrase(o[1]) + " and " + object_phrase(o[2]) + " " +
           background;
  };
  std::string caption = prefix + body(bg);
  if (word_count(caption) >= 20) caption = body(bg);
  if (word_count(caption) >= 20) {
    bg = *std::min_element(bg_phrases.begin(), bg_phrases.end(), [](const auto& a, const auto& b) {
      return word_count(a) < word_count(b);
    });
    caption = body(bg);
  }
  if (word_count(caption) >= 20) fail("caption_for: caption too long: '", caption, "'");
  return caption;
}

}  // namespace hd::data
