// Noun candidates of a prompt, from WordNet (Debian's wordnet-base) and phrase structure.
//
// WordNet knows open-class words only (nouns, verbs, adjectives, adverbs); it has no
// determiners, prepositions or conjunctions, and lists letters such as "a" as nouns. So a
// prompt is split into runs of content words at closed-class function words (articles,
// prepositions, conjunctions, pronouns, auxiliaries: a fixed list of the language's closed
// classes, not of nouns), and the head of each run -- its last word that WordNet knows as a
// noun, after morphological reduction ("stars" -> "star") -- is a candidate. "a small red
// star above a blue house" gives "star" and "house"; "red" and "blue" modify them.
#pragma once

#include <string>
#include <vector>

namespace hd {

// One flag per word of `words` (already split and lower-cased by the tokenizer).
std::vector<bool> noun_candidates(const std::vector<std::string>& words);

// True when WordNet has a noun sense of `word` (or of its base form). Thread-safe.
bool wordnet_has_noun(const std::string& word);

}  // namespace hd
