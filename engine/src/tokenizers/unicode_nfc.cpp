// Unicode Normalization Form C (UAX #15) over the tables of unicode_nfc_data.inc, which
// tests/fixtures/make_nfc_tables.py generates from Python's unicodedata: canonical
// decomposition, canonical ordering of non-starters, canonical composition (Hangul by rule).
#include "tokenizers/unicode_nfc.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hd::unicode {
namespace {

#include "tokenizers/unicode_nfc_data.inc"

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
                   kSCount = kLCount * kNCount;

bool maybe_not_nfc(char32_t cp) {
  const Range* it = std::lower_bound(std::begin(kMaybeNotNfc), std::end(kMaybeNotNfc), cp,
                                     [](const Range& r, char32_t c) { return r.last < c; });
  return it != std::end(kMaybeNotNfc) && it->first <= cp;
}

// Appends the full canonical decomposition of cp with the combining class of each code point.
void decompose(char32_t cp, std::vector<std::pair<char32_t, uint8_t>>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const char32_t s = cp - kSBase;
    out.emplace_back(kLBase + s / kNCount, 0);
    out.emplace_back(kVBase + s % kNCount / kTCount, 0);
    if (s % kTCount != 0) out.emplace_back(kTBase + s % kTCount, 0);
    return;
  }
  const Decomposition* it =
      std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), cp,
                       [](const Decomposition& d, char32_t c) { return d.cp < c; });
  if (it == std::end(kDecompositions) || it->cp != cp) {
    out.emplace_back(cp, combining_class(cp));
    return;
  }
  decompose(it->first, out);
  if (it->second != 0) decompose(it->second, out);
}

// The primary composite of first + second, or 0 when there is none.
char32_t compose(char32_t first, char32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 &&
      second > kTBase && second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  const Composition* it =
      std::lower_bound(std::begin(kCompositions), std::end(kCompositions), std::pair(first, second),
                       [](const Composition& c, const std::pair<char32_t, char32_t>& key) {
                         return c.first != key.first ? c.first < key.first : c.second < key.second;
                       });
  if (it == std::end(kCompositions) || it->first != first || it->second != second) return 0;
  return it->composite;
}

// Canonical decomposition followed by the canonical ordering of each run of non-starters.
std::vector<std::pair<char32_t, uint8_t>> decompose_and_order(std::u32string_view s) {
  std::vector<std::pair<char32_t, uint8_t>> d;
  d.reserve(s.size() + s.size() / 2);
  for (char32_t cp : s) decompose(cp, d);
  for (size_t i = 0; i < d.size();) {
    if (d[i].second == 0) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < d.size() && d[end].second != 0) ++end;
    std::stable_sort(d.begin() + static_cast<ptrdiff_t>(i), d.begin() + static_cast<ptrdiff_t>(end),
                     [](const auto& a, const auto& b) { return a.second < b.second; });
    i = end;
  }
  return d;
}

}  // namespace

uint8_t combining_class(char32_t cp) {
  if (cp < 0x300) return 0;
  const ClassRange* it =
      std::lower_bound(std::begin(kCombiningClass), std::end(kCombiningClass), cp,
                       [](const ClassRange& r, char32_t c) { return r.last < c; });
  return it != std::end(kCombiningClass) && it->first <= cp ? it->ccc : 0;
}

bool is_nfc_quick(std::u32string_view s) {
  for (char32_t cp : s) {
    if (cp >= 0x300 && maybe_not_nfc(cp)) return false;
  }
  return true;
}

std::u32string nfd(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (const auto& entry : decompose_and_order(s)) out.push_back(entry.first);
  return out;
}

std::u32string nfc(std::u32string_view s) {
  if (is_nfc_quick(s)) return std::u32string(s);
  const std::vector<std::pair<char32_t, uint8_t>> d = decompose_and_order(s);
  std::u32string out;
  out.reserve(d.size());
  size_t starter = std::u32string::npos;  // index in out of the last starter
  uint8_t last_ccc = 0;                   // combining class of out.back()
  for (const auto& [cp, ccc] : d) {
    // cp is blocked from the starter when something between them has class 0 or >= its class;
    // the marks in between are ordered, so the last one tells.
    const bool adjacent = starter != std::u32string::npos && starter + 1 == out.size();
    if (starter != std::u32string::npos && (adjacent || (last_ccc != 0 && last_ccc < ccc))) {
      if (const char32_t composite = compose(out[starter], cp); composite != 0) {
        out[starter] = composite;
        continue;
      }
    }
    if (ccc == 0) starter = out.size();
    last_ccc = ccc;
    out.push_back(cp);
  }
  return out;
}

}  // namespace hd::unicode
