// Tests of Unicode NFC / NFD (engine/src/tokenizers/unicode_nfc.h) against Python's
// unicodedata.normalize (tests/fixtures/make_nfc_tables.py -> tests/fixtures/data/nfc_cases.json).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

// engine/src is not on the test's include path: include by path (the headers do the same).
#include "tokenizers/unicode_nfc.h"
#include "tokenizers/unicode_tables.h"

namespace fs = std::filesystem;
using hd::unicode::combining_class;
using hd::unicode::decode_utf8;
using hd::unicode::is_nfc_quick;
using hd::unicode::nfc;
using hd::unicode::nfd;
using hd::unicode::to_utf8;

namespace {

const nlohmann::json& fixtures() {
  static const nlohmann::json data = [] {
    std::ifstream in(fs::path(HD_TEST_DATA_DIR) / "nfc_cases.json", std::ios::binary);
    return nlohmann::json::parse(in);
  }();
  return data;
}

// "U+0065 U+0301": what a failure shows, since combining marks print badly.
std::string code_points(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%sU+%04X", out.empty() ? "" : " ", static_cast<unsigned>(cp));
    out += buf;
  }
  return out;
}

bool is_scalar_value(char32_t cp) {
  return cp < 0xD800 || (cp > 0xDFFF && cp <= 0x10FFFF);
}

// FNV-1a 64 over the UTF-8 of each string, each followed by a 0xFF byte (as the script does).
struct Fnv1a {
  uint64_t h = 0xCBF29CE484222325ull;
  void add(std::u32string_view s) {
    for (const char c : to_utf8(s) + '\xFF') {
      h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
    }
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

}  // namespace

// The fixture and the generated tables describe the same Unicode version as unicode_tables.cpp.
TEST(UnicodeNfc, SameUnicodeVersionAsTheOtherTables) {
  EXPECT_EQ(fixtures()["unicode_version"].get<std::string>(), hd::unicode::unicode_version());
}

// Every string of the fixture: nfc() and nfd() give Python's results; NFC is idempotent and
// equal to nfc(nfd(s)); the quick check never passes a string that NFC changes.
TEST(UnicodeNfc, MatchesPythonCases) {
  const nlohmann::json& cases = fixtures()["cases"];
  ASSERT_GE(cases.size(), 300u);
  int changed = 0;
  for (const nlohmann::json& c : cases) {
    const std::u32string text = decode_utf8(c["text"].get<std::string>());
    const std::u32string want_nfc = decode_utf8(c["nfc"].get<std::string>());
    const std::u32string want_nfd = decode_utf8(c.value("nfd", c["text"].get<std::string>()));
    SCOPED_TRACE(c["name"].get<std::string>() + ": " + code_points(text));
    const std::u32string got = nfc(text);
    EXPECT_EQ(code_points(got), code_points(want_nfc));
    EXPECT_EQ(code_points(nfd(text)), code_points(want_nfd));
    EXPECT_EQ(nfc(got), got);
    EXPECT_EQ(nfc(want_nfd), got);
    EXPECT_EQ(nfd(got), want_nfd);
    if (is_nfc_quick(text)) {
      EXPECT_EQ(got, text);
    }
    changed += got != text;
  }
  EXPECT_GE(changed, 100);  // the fixture mostly holds text that NFC changes
}

// NFD and NFC of every Unicode scalar value alone, hashed like the script does with Python's
// unicodedata; and for each, NFC(NFD(c)) == NFC(c), which exercises every primary composite.
TEST(UnicodeNfc, EveryCodePointMatchesPythonHashes) {
  const nlohmann::json& hashes = fixtures()["hashes"];
  Fnv1a hash_nfd, hash_nfc;
  int64_t count = 0, mismatches = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!is_scalar_value(cp)) continue;
    const std::u32string one(1, cp);
    const std::u32string d = nfd(one), c = nfc(one);
    hash_nfd.add(d);
    hash_nfc.add(c);
    ++count;
    if (nfc(d) != c || (is_nfc_quick(one) && c != one)) {
      if (++mismatches <= 10) ADD_FAILURE() << code_points(one);
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(count, hashes["count"].get<int64_t>());
  EXPECT_EQ(hash_nfd.hex(), hashes["nfd"].get<std::string>());
  EXPECT_EQ(hash_nfc.hex(), hashes["nfc"].get<std::string>());
}

// Singletons, exclusions, reordering, blocking, Hangul and combining classes, spelled out.
TEST(UnicodeNfc, NamedExamples) {
  EXPECT_EQ(nfc(U"e\u0301"), U"\u00E9");
  EXPECT_EQ(nfc(U"\u212B"), U"\u00C5");               // ANGSTROM SIGN, a singleton
  EXPECT_EQ(nfc(U"\u2126"), U"\u03A9");               // OHM SIGN
  EXPECT_EQ(nfc(U"\u0958"), U"\u0915\u093C");         // excluded from composition
  EXPECT_EQ(nfc(U"\u0915\u093C"), U"\u0915\u093C");   // and not composed back
  EXPECT_EQ(nfc(U"\u0344"), U"\u0308\u0301");         // non-starter decomposition
  EXPECT_EQ(nfc(U"\u1F71"), U"\u03AC");               // oxia -> tonos
  EXPECT_EQ(nfc(U"a\u0323\u0301"), U"\u1EA1\u0301");  // dot below (220) composes first
  EXPECT_EQ(nfc(U"a\u0301\u0323"), U"\u1EA1\u0301");  // reordered: 220 before 230
  EXPECT_EQ(nfc(U"e\u0301\u0301"), U"\u00E9\u0301");  // the second acute is blocked
  EXPECT_EQ(nfc(U"a\u0302\u0301"), U"\u1EA5");        // ấ: composed in turn
  EXPECT_EQ(nfc(U"e\u0323\u0302"), U"\u1EC7");        // Vietnamese ệ
  EXPECT_EQ(nfc(U"e\u0302\u0323"), U"\u1EC7");
  EXPECT_EQ(nfc(U"\u1100\u1161"), U"\uAC00");              // Hangul LV
  EXPECT_EQ(nfc(U"\u1100\u1161\u11A8"), U"\uAC01");        // LVT
  EXPECT_EQ(nfc(U"\uAC00\u11A8"), U"\uAC01");              // LV + T
  EXPECT_EQ(nfc(U"\uAC01\u11A8"), U"\uAC01\u11A8");        // LVT + T: nothing
  EXPECT_EQ(nfc(U"\u1100\u1161\u11A7"), U"\uAC00\u11A7");  // U+11A7 is not a trailing jamo
  EXPECT_EQ(nfd(U"\uD7A3"), U"\u1112\u1175\u11C2");
  EXPECT_EQ(nfc(U"\u0301e"), U"\u0301e");                  // no starter before the mark
  EXPECT_EQ(nfc(U"\U00011935\U00011930"), U"\U00011938");  // Unicode, not tokenizers (see json)
  EXPECT_EQ(combining_class(U'A'), 0);
  EXPECT_EQ(combining_class(U'\u0301'), 230);
  EXPECT_EQ(combining_class(U'\u0323'), 220);
  EXPECT_EQ(combining_class(U'\u0334'), 1);
  EXPECT_EQ(combining_class(U'\u0345'), 240);
  EXPECT_EQ(combining_class(U'\u05B0'), 10);
  EXPECT_EQ(combining_class(U'\u3099'), 8);
  EXPECT_EQ(combining_class(U'\U0001D165'), 216);
}

// All Hangul syllables decompose to their jamo and compose back.
TEST(UnicodeNfc, HangulSyllablesRoundTrip) {
  for (char32_t s = 0xAC00; s <= 0xD7A3; ++s) {
    const std::u32string one(1, s), d = nfd(one);
    ASSERT_EQ(d.size(), (s - 0xAC00) % 28 == 0 ? 2u : 3u) << code_points(one);
    ASSERT_EQ(nfc(d), one) << code_points(one);
    ASSERT_TRUE(is_nfc_quick(one));
  }
}

// Values that are not Unicode scalar values (surrogates, above U+10FFFF) pass through untouched,
// even among combining marks, and do not take part in composition.
TEST(UnicodeNfc, InvalidCodePointsUntouched) {
  for (const char32_t bad : {char32_t{0xD800}, char32_t{0xDFFF}, char32_t{0x110000},
                             char32_t{0x7FFFFFFF}, char32_t{0xFFFFFFFF}}) {
    SCOPED_TRACE(code_points(std::u32string(1, bad)));
    EXPECT_EQ(combining_class(bad), 0);
    const std::u32string alone(1, bad);
    EXPECT_EQ(nfc(alone), alone);
    EXPECT_EQ(nfd(alone), alone);
    std::u32string mixed = U"e";
    mixed += bad;
    mixed += U"\u0301\u0323";
    std::u32string want = U"e";
    want += bad;
    want += U"\u0323\u0301";  // reordered, but not composed with the invalid "starter"
    EXPECT_EQ(nfc(mixed), want);
    mixed = U"e\u0301";
    mixed += bad;
    EXPECT_EQ(nfc(mixed), U"\u00E9" + std::u32string(1, bad));
  }
}

// The quick check passes everything below U+0300 (ASCII, Latin-1, Latin Extended-A/B), so
// prompts in those scripts are never copied or rebuilt.
TEST(UnicodeNfc, QuickCheckPassesLatin) {
  std::u32string latin;
  for (char32_t cp = 0; cp < 0x300; ++cp) latin.push_back(cp);
  EXPECT_TRUE(is_nfc_quick(latin));
  EXPECT_EQ(nfc(latin), latin);
  EXPECT_TRUE(is_nfc_quick(U""));
  EXPECT_EQ(nfc(U""), U"");
  EXPECT_FALSE(is_nfc_quick(U"e\u0301"));
  EXPECT_FALSE(is_nfc_quick(U"\u212B"));
  EXPECT_FALSE(is_nfc_quick(U"\u1161"));  // a vowel jamo may compose with a preceding L
}
