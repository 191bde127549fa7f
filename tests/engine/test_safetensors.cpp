// Tests of the safetensors reader/writer (engine/src/io/safetensors.*).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "io/safetensors.h"

namespace fs = std::filesystem;
using hd::DType;
using hd::SafetensorsFile;
using hd::SafetensorsWriter;
using nlohmann::json;

namespace {

constexpr DType kAllDTypes[] = {DType::kF64, DType::kF32, DType::kF16, DType::kBF16, DType::kI64,
                                DType::kI32, DType::kI16, DType::kI8,  DType::kU8,   DType::kBool};

// A fresh directory under the system temp dir, removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("hd_st_" + std::to_string(::getpid()) + "_" + (info ? info->name() : "x"));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<std::byte> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  if (!c.empty()) std::memcpy(out.data(), c.data(), c.size());
  return out;
}

void write_bytes(const fs::path& p, const std::vector<std::byte>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A raw file: given header text (unpadded) and a data section of `data_size` pattern bytes.
std::vector<std::byte> raw_file(const std::string& header, size_t data_size) {
  std::vector<std::byte> out(8 + header.size() + data_size);
  const uint64_t len = header.size();
  std::memcpy(out.data(), &len, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  for (size_t i = 0; i < data_size; ++i) out[8 + header.size() + i] = std::byte(i * 7 + 1);
  return out;
}

uint64_t header_len(const std::vector<std::byte>& file) {
  uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  return n;
}

// The message of the hd::Error that open() throws (a test failure if it does not throw).
std::string open_error(const fs::path& p) {
  try {
    SafetensorsFile::open(p);
  } catch (const hd::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "open(" << p << ") did not throw";
  return {};
}

void expect_contains(const std::string& msg, std::initializer_list<std::string> parts) {
  for (const auto& part : parts) {
    EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
  }
}

// Deterministic bytes for a tensor of `n` bytes.
std::vector<std::byte> pattern(size_t n, int seed) {
  std::vector<std::byte> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = std::byte((i * 31 + seed * 17 + 3) & 0xff);
  return b;
}

// A valid writer with a few tensors of mixed dtypes, used by several tests.
SafetensorsWriter sample_writer() {
  SafetensorsWriter w;
  const float f[6] = {1, -2, 3.5f, 0, 1e-3f, 42};
  w.add_f32("b.weight", {2, 3}, f);
  const auto h = pattern(8, 1);
  w.add("a.bias", DType::kF16, {4}, h.data(), h.size());
  const auto i = pattern(16, 2);
  w.add("c.idx", DType::kI64, {2}, i.data(), i.size());
  w.add("d.empty", DType::kF32, {0, 5}, nullptr, 0);
  w.set_metadata("format", "pt");
  return w;
}

}  // namespace

// dtype names use the safetensors spellings and sizes match the element widths.
TEST(Safetensors, DTypeNamesAndSizes) {
  EXPECT_STREQ(hd::dtype_name(DType::kF32), "F32");
  EXPECT_STREQ(hd::dtype_name(DType::kBF16), "BF16");
  EXPECT_STREQ(hd::dtype_name(DType::kBool), "BOOL");
  const size_t sizes[] = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1};
  for (size_t k = 0; k < std::size(kAllDTypes); ++k) {
    EXPECT_EQ(hd::dtype_size(kAllDTypes[k]), sizes[k]);
    EXPECT_EQ(hd::dtype_from_name(hd::dtype_name(kAllDTypes[k])), kAllDTypes[k]);
  }
  EXPECT_FALSE(hd::dtype_from_name("F8_E4M3").has_value());
}

// Every dtype, scalars, empty tensors and metadata survive writer -> file -> reader unchanged.
TEST(Safetensors, RoundTripEveryDtype) {
  TempDir dir;
  SafetensorsWriter w;
  std::map<std::string, std::vector<std::byte>> expected;
  int seed = 0;
  for (DType dt : kAllDTypes) {
    const std::string name = std::string("t_") + hd::dtype_name(dt);
    auto bytes = pattern(2 * 3 * hd::dtype_size(dt), ++seed);
    if (dt == DType::kBool) {
      for (auto& b : bytes) b = std::byte(static_cast<unsigned>(b) & 1);
    }
    w.add(name, dt, {2, 3}, bytes.data(), bytes.size());
    expected[name] = bytes;
  }
  const float scalar = 3.25f;
  w.add_f32("scalar", {}, &scalar);
  w.add("empty", DType::kBF16, {3, 0}, nullptr, 0);
  w.set_metadata("format", "pt");
  w.set_metadata("note", "héllo \"quoted\"");
  const fs::path p = dir / "all.safetensors";
  w.write(p);

  const SafetensorsFile f = SafetensorsFile::open(p);
  EXPECT_TRUE(f.is_mapped());
  EXPECT_EQ(f.path(), p);
  ASSERT_EQ(f.tensors().size(), std::size(kAllDTypes) + 2);
  for (size_t i = 1; i < f.tensors().size(); ++i) {
    EXPECT_LT(f.tensors()[i - 1].name, f.tensors()[i].name);  // sorted by name
  }
  for (DType dt : kAllDTypes) {
    const auto& t = f.at(std::string("t_") + hd::dtype_name(dt));
    EXPECT_EQ(t.dtype, dt);
    EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t.numel(), 6);
    const auto& want = expected[t.name];
    ASSERT_EQ(t.nbytes, want.size());
    EXPECT_EQ(std::memcmp(t.data, want.data(), want.size()), 0) << t.name;
  }
  const auto& s = f.at("scalar");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(hd::to_float32(s), std::vector<float>{3.25f});
  const auto& e = f.at("empty");
  EXPECT_EQ(e.dtype, DType::kBF16);
  EXPECT_EQ(e.shape, (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(e.nbytes, 0u);
  EXPECT_TRUE(hd::to_float32(e).empty());
  EXPECT_EQ(f.metadata(),
            (std::map<std::string, std::string>{{"format", "pt"}, {"note", "héllo \"quoted\""}}));
  EXPECT_EQ(f.find("nope"), nullptr);
  EXPECT_EQ(f.find("scalar"), &s);

  // The in-memory parser sees the same file as the mapped one.
  const auto mem = SafetensorsFile::from_buffer(w.serialize(), "mem");
  EXPECT_FALSE(mem.is_mapped());
  EXPECT_EQ(mem.tensors().size(), f.tensors().size());
  EXPECT_EQ(read_bytes(p), w.serialize());
}

// at() names the file and the missing key.
TEST(Safetensors, AtMissingKeyNamesFileAndKey) {
  TempDir dir;
  const fs::path p = dir / "m.safetensors";
  sample_writer().write(p);
  const auto f = SafetensorsFile::open(p);
  try {
    f.at("unet.missing");
    FAIL() << "no throw";
  } catch (const hd::Error& e) {
    expect_contains(e.what(), {p.string(), "'unet.missing'"});
  }
}

// The written layout follows the format: 8-aligned space-padded header, data sorted by name.
TEST(Safetensors, WriterLayout) {
  const auto bytes = sample_writer().serialize();
  const uint64_t n = header_len(bytes);
  EXPECT_EQ(n % 8, 0u);
  const std::string header(reinterpret_cast<const char*>(bytes.data() + 8), n);
  EXPECT_EQ(header.front(), '{');
  EXPECT_EQ(header.find_last_not_of(' '), header.find_last_of('}'));
  const json j = json::parse(header);
  EXPECT_EQ(j["__metadata__"]["format"], "pt");
  EXPECT_EQ(j["a.bias"]["data_offsets"], json::array({0, 8}));
  EXPECT_EQ(j["b.weight"]["data_offsets"], json::array({8, 32}));
  EXPECT_EQ(j["c.idx"]["data_offsets"], json::array({32, 48}));
  EXPECT_EQ(j["d.empty"]["data_offsets"], json::array({48, 48}));
  EXPECT_EQ(bytes.size(), 8 + n + 48);
}

// Moving a file object keeps the views and the mapping valid.
TEST(Safetensors, MoveKeepsViewsValid) {
  TempDir dir;
  const fs::path p = dir / "m.safetensors";
  sample_writer().write(p);
  auto a = SafetensorsFile::open(p);
  const std::byte* data = a.at("b.weight").data;
  SafetensorsFile b = std::move(a);
  EXPECT_EQ(b.at("b.weight").data, data);
  SafetensorsFile c = SafetensorsFile::from_buffer(sample_writer().serialize(), "x");
  c = std::move(b);
  EXPECT_EQ(hd::to_float32(c.at("b.weight"))[2], 3.5f);
}

// F16 -> F32 is exact for the known bit patterns, including subnormals, inf and nan.
TEST(Safetensors, F16ToF32KnownPatterns) {
  EXPECT_EQ(hd::f16_to_f32(0x3C00), 1.0f);
  EXPECT_EQ(hd::f16_to_f32(0xC100), -2.5f);
  EXPECT_EQ(hd::f16_to_f32(0x7BFF), 65504.0f);
  EXPECT_EQ(hd::f16_to_f32(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(hd::f16_to_f32(0x03FF), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(hd::f16_to_f32(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(hd::f16_to_f32(0x7C00), INFINITY);
  EXPECT_EQ(hd::f16_to_f32(0xFC00), -INFINITY);
  EXPECT_TRUE(std::isnan(hd::f16_to_f32(0x7E00)));
  EXPECT_TRUE(std::isnan(hd::f16_to_f32(0xFC01)));
  EXPECT_EQ(hd::f16_to_f32(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(hd::f16_to_f32(0x8000)));
}

// Every one of the 65536 F16 values converts to the value the IEEE definition gives.
TEST(Safetensors, F16ToF32Exhaustive) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const int sign = (h >> 15) ? -1 : 1;
    const int exp = (h >> 10) & 0x1f;
    const int mant = h & 0x3ff;
    const float got = hd::f16_to_f32(static_cast<uint16_t>(h));
    if (exp == 31) {
      EXPECT_EQ(std::isnan(got), mant != 0) << h;
      if (mant == 0) {
        EXPECT_EQ(got, sign * INFINITY) << h;
      }
      continue;
    }
    const double want = exp == 0 ? sign * std::ldexp(double(mant), -24)
                                 : sign * std::ldexp(1.0 + mant / 1024.0, exp - 15);
    ASSERT_EQ(double(got), want) << "bits " << h;
  }
}

// BF16 -> F32 keeps the upper 16 bits: 1.0, -2.5, subnormals, inf and nan.
TEST(Safetensors, BF16ToF32KnownPatterns) {
  EXPECT_EQ(hd::bf16_to_f32(0x3F80), 1.0f);
  EXPECT_EQ(hd::bf16_to_f32(0xC020), -2.5f);
  EXPECT_EQ(hd::bf16_to_f32(0x477F), 65280.0f);
  EXPECT_EQ(hd::bf16_to_f32(0x0001), std::ldexp(1.0f, -133));  // smallest subnormal
  EXPECT_EQ(hd::bf16_to_f32(0x7F80), INFINITY);
  EXPECT_EQ(hd::bf16_to_f32(0xFF80), -INFINITY);
  EXPECT_TRUE(std::isnan(hd::bf16_to_f32(0x7FC0)));
}

// to_float32 converts F16/BF16/F64/F32 tensors read from a file and rejects integer dtypes.
TEST(Safetensors, ToFloat32FromFile) {
  SafetensorsWriter w;
  const uint16_t h[] = {0x3C00, 0xC100, 0x7BFF, 0x0001};
  w.add("h", DType::kF16, {4}, h, sizeof h);
  const uint16_t b[] = {0x3F80, 0xC020};
  w.add("b", DType::kBF16, {2}, b, sizeof b);
  const double d[] = {0.5, -1e300};
  w.add("d", DType::kF64, {2}, d, sizeof d);
  const int32_t i[] = {1, 2};
  w.add("i", DType::kI32, {2}, i, sizeof i);
  const auto f = SafetensorsFile::from_buffer(w.serialize(), "conv.safetensors");
  EXPECT_EQ(hd::to_float32(f.at("h")),
            (std::vector<float>{1.0f, -2.5f, 65504.0f, std::ldexp(1.0f, -24)}));
  EXPECT_EQ(hd::to_float32(f.at("b")), (std::vector<float>{1.0f, -2.5f}));
  const auto dv = hd::to_float32(f.at("d"));
  EXPECT_EQ(dv[0], 0.5f);
  EXPECT_EQ(dv[1], -INFINITY);
  try {
    hd::to_float32(f.at("i"));
    FAIL() << "no throw";
  } catch (const hd::Error& e) {
    expect_contains(e.what(), {"'i'", "I32"});
  }
}

// A missing file is reported as such, with the path.
TEST(Safetensors, MissingFile) {
  TempDir dir;
  const auto msg = open_error(dir / "absent.safetensors");
  expect_contains(msg, {"absent.safetensors", "file not found"});
}

// A file cut anywhere (length field, header, data) is rejected with a message on the cut.
TEST(Safetensors, TruncatedFile) {
  TempDir dir;
  const auto full = sample_writer().serialize();
  const size_t hend = 8 + header_len(full);
  const size_t cuts[] = {0, 1, 4, 7, 8, 12, hend - 1, hend, hend + 5, full.size() - 1};
  for (size_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const fs::path p = dir / ("cut" + std::to_string(cut) + ".safetensors");
    write_bytes(p, std::vector<std::byte>(full.begin(), full.begin() + cut));
    const auto msg = open_error(p);
    expect_contains(msg, {p.string()});
    if (cut < 8) {
      expect_contains(msg, {"too short"});
    } else if (cut < hend) {
      expect_contains(msg, {"header length " + std::to_string(hend - 8), "truncated"});
    } else {
      expect_contains(
          msg, {"' has data_offsets", "beyond the data section of " + std::to_string(cut - hend)});
    }
  }
}

// A header length larger than the file, or absurdly large, is rejected before parsing.
TEST(Safetensors, HeaderLengthLies) {
  TempDir dir;
  auto bytes = sample_writer().serialize();
  const uint64_t too_big = bytes.size();
  std::memcpy(bytes.data(), &too_big, 8);
  const fs::path p = dir / "lie.safetensors";
  write_bytes(p, bytes);
  expect_contains(open_error(p), {"header length " + std::to_string(too_big), "truncated"});

  const uint64_t absurd = 1ull << 40;
  std::memcpy(bytes.data(), &absurd, 8);
  write_bytes(p, bytes);
  expect_contains(open_error(p), {"header length " + std::to_string(absurd), "exceeds"});
}

// The shape/byte-range mismatch message has the exact documented form.
TEST(Safetensors, ShapeByteMismatchMessage) {
  TempDir dir;
  const fs::path p = dir / "model.safetensors";
  write_bytes(p,
              raw_file(R"({"a.weight":{"dtype":"F16","shape":[3,4],"data_offsets":[0,20]}})", 24));
  EXPECT_EQ(open_error(p), p.string() +
                               ": tensor 'a.weight' has dtype F16 and shape [3,4] = 24 bytes but "
                               "data_offsets span 20 bytes");
}

// Each malformed header gives an hd::Error that names the key and the value at fault.
TEST(Safetensors, BadHeaders) {
  struct Case {
    const char* what;
    std::string header;
    size_t data_size;
    std::vector<std::string> expect;
  };
  // One tensor entry of a header: "name":{"dtype":..,"shape":..,"data_offsets":..}.
  auto e = [](const char* name, const char* dtype, const char* shape, const char* offsets) {
    return hd::str("\"", name, "\":{\"dtype\":", dtype, ",\"shape\":", shape,
                   ",\"data_offsets\":", offsets, "}");
  };
  auto one = [&](const char* dtype, const char* shape, const char* offsets) {
    return hd::str("{", e("w", dtype, shape, offsets), "}");
  };
  // clang-format off
  const Case cases[] = {
    {"not json", "this is not json", 0, {"not valid JSON", "at byte"}},
    {"truncated json", R"({"a":{"dtype":"F32")", 0, {"not valid JSON"}},
    {"array header", "[1,2,3]", 0, {"must be a JSON object", "array"}},
    {"tensor not object", R"({"w":5})", 0, {"'w'", "must be an object", "5"}},
    {"unknown dtype", one("\"X16\"", "[1]", "[0,2]"), 2, {"'w'", "unknown dtype \"X16\""}},
    {"dtype not string", one("4", "[1]", "[0,2]"), 2, {"'w'", "dtype 4"}},
    {"missing dtype", R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4, {"'w'", "\"dtype\""}},
    {"missing shape", R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", 4, {"'w'", "\"shape\""}},
    {"negative shape", one("\"F32\"", "[-1,4]", "[0,16]"), 16,
     {"'w'", "negative dimension -1", "[-1,4]"}},
    {"fractional shape", one("\"F32\"", "[1.5]", "[0,4]"), 4, {"'w'", "1.5"}},
    {"shape not array", one("\"F32\"", "\"2x2\"", "[0,16]"), 16,
     {"'w'", "not an array", "\"2x2\""}},
    {"huge shape", one("\"F32\"", "[4294967296,4294967296]", "[0,4]"), 4, {"'w'", "overflows"}},
    {"missing data_offsets", R"({"w":{"dtype":"F32","shape":[2]}})", 8,
     {"'w'", "no \"data_offsets\""}},
    {"offsets wrong length", one("\"F32\"", "[2]", "[0]"), 8, {"'w'", "[0]"}},
    {"negative offset", one("\"F32\"", "[2]", "[-8,0]"), 8, {"'w'", "[-8,0]"}},
    {"begin after end", one("\"F32\"", "[0]", "[8,0]"), 8, {"'w'", "[8,0]", "begin > end"}},
    {"beyond data", one("\"F32\"", "[4]", "[0,16]"), 8,
     {"'w'", "[0,16]", "beyond the data section of 8 bytes"}},
    {"overlap",
     hd::str("{", e("a", "\"F32\"", "[2]", "[0,8]"), ",", e("b", "\"F32\"", "[2]", "[4,12]"), "}"),
     12,
     {"'a' [0,8]", "'b' [4,12]", "overlapping"}},
    {"same range twice",
     hd::str("{", e("a", "\"U8\"", "[4]", "[0,4]"), ",", e("b", "\"I8\"", "[4]", "[0,4]"), "}"),
     4,
     {"'a' [0,4]", "'b' [0,4]", "overlapping"}},
    {"overlap inside a wide range",
     hd::str("{", e("a", "\"U8\"", "[10]", "[0,10]"), ",", e("b", "\"U8\"", "[2]", "[2,4]"), ",",
             e("c", "\"U8\"", "[2]", "[6,8]"), "}"), 10,
     {"'a' [0,10]", "'b' [2,4]", "overlapping"}},
    {"metadata not strings", R"({"__metadata__":{"epoch":3}})", 0, {"__metadata__", "'epoch'"}},
    {"metadata not object", R"({"__metadata__":[1]})", 0, {"__metadata__", "[1]"}},
  };
  // clang-format on
  TempDir dir;
  int k = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const fs::path p = dir / ("bad" + std::to_string(k++) + ".safetensors");
    write_bytes(p, raw_file(c.header, c.data_size));
    const std::string msg = open_error(p);
    expect_contains(msg, {p.string()});
    for (const auto& part : c.expect) expect_contains(msg, {part});
  }
}

// Edge cases the format allows are accepted: empty header object, zero-size ranges anywhere.
TEST(Safetensors, AcceptsValidEdgeCases) {
  EXPECT_TRUE(SafetensorsFile::from_buffer(raw_file("{}", 0), "e").tensors().empty());
  EXPECT_TRUE(SafetensorsFile::from_buffer(raw_file("{}   ", 3), "e").tensors().empty());
  const auto f = SafetensorsFile::from_buffer(
      raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
                   "z":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},
                   "__metadata__":null})",
               4),
      "e");
  EXPECT_EQ(f.tensors().size(), 2u);
  EXPECT_TRUE(f.metadata().empty());
}

// write() renames a temporary file into place: nothing else remains, overwrites work.
TEST(Safetensors, AtomicWriteLeavesNoTempFile) {
  TempDir dir;
  const fs::path p = dir / "model.safetensors";
  sample_writer().write(p);
  SafetensorsWriter w2;
  const float one = 1.0f;
  w2.add_f32("only", {1}, &one);
  w2.write(p);  // overwrite
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"model.safetensors"});
  EXPECT_EQ(SafetensorsFile::open(p).tensors().size(), 1u);
}

// A failing write (rename onto a non-empty directory) throws and removes its temporary file.
TEST(Safetensors, FailedWriteCleansUp) {
  TempDir dir;
  const fs::path target = dir / "occupied";
  fs::create_directories(target / "child");
  try {
    sample_writer().write(target);
    FAIL() << "no throw";
  } catch (const hd::Error& e) {
    expect_contains(e.what(), {target.string(), "renaming"});
  }
  size_t count = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++count;
  EXPECT_EQ(count, 1u);
  EXPECT_THROW(sample_writer().write(dir / "no_such_dir" / "x.safetensors"), hd::Error);
}

// The writer rejects byte counts that do not match the shape, duplicates and reserved names.
TEST(Safetensors, WriterValidates) {
  SafetensorsWriter w;
  const std::vector<std::byte> b(20);
  try {
    w.add("a.weight", DType::kF16, {3, 4}, b.data(), b.size());
    FAIL() << "no throw";
  } catch (const hd::Error& e) {
    expect_contains(e.what(), {"'a.weight'", "F16", "[3,4] = 24 bytes", "20 bytes"});
  }
  w.add("a.weight", DType::kF16, {2, 5}, b.data(), b.size());
  EXPECT_THROW(w.add("a.weight", DType::kU8, {20}, b.data(), b.size()), hd::Error);
  EXPECT_THROW(w.add("__metadata__", DType::kU8, {20}, b.data(), b.size()), hd::Error);
  EXPECT_THROW(w.add("neg", DType::kU8, {-1}, b.data(), 0), hd::Error);
  EXPECT_THROW(w.add("null", DType::kU8, {4}, nullptr, 4), hd::Error);
  EXPECT_EQ(w.size(), 1u);
}

// Checks one possibly corrupt input: open either works with every view inside the file's bytes
// (and readable), or throws hd::Error.
void check_input(const SafetensorsFile& f) {
  const auto bytes = f.file_bytes();
  const std::byte* lo = bytes.data();
  const std::byte* hi = bytes.data() + bytes.size();
  for (const auto& t : f.tensors()) {
    EXPECT_GE(t.data, lo) << t.name;
    EXPECT_LE(t.data + t.nbytes, hi) << t.name;
    EXPECT_EQ(static_cast<size_t>(t.numel()) * hd::dtype_size(t.dtype), t.nbytes) << t.name;
    if (t.dtype == DType::kF16 || t.dtype == DType::kBF16 || t.dtype == DType::kF32) {
      volatile float sink = 0;
      for (float v : hd::to_float32(t)) sink = sink + v;
    }
    EXPECT_EQ(f.find(t.name), &t);
  }
}

// Applies one random mutation to a valid file.
void mutate(std::vector<std::byte>& b, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; };
  const size_t hend = b.size() >= 8 ? std::min<size_t>(b.size(), 8 + header_len(b)) : b.size();
  switch (rng() % 6) {
    case 0:  // bit flips, mostly in the length field and the header
      for (int k = 1 + pick(4); k > 0; --k) {
        if (b.empty()) break;
        const size_t at = (rng() % 4) ? pick(hend) : pick(b.size());
        b[at] ^= std::byte(1u << (rng() % 8));
      }
      break;
    case 1:  // truncation
      b.resize(pick(b.size() + 1));
      break;
    case 2: {  // insertion of random bytes
      const size_t at = pick(b.size() + 1);
      std::vector<std::byte> ins(1 + pick(16));
      for (auto& x : ins) x = std::byte(rng() & 0xff);
      b.insert(b.begin() + at, ins.begin(), ins.end());
      break;
    }
    case 3: {  // header JSON edit, re-encoded with a correct length
      if (b.size() < 8 || hend < 8) break;
      const std::string text(reinterpret_cast<const char*>(b.data() + 8), hend - 8);
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded() || !j.is_object() || j.empty()) break;
      auto it = j.begin();
      std::advance(it, pick(j.size()));
      json& t = it.value();
      // clang-format off
      const json values[] = {-1, 0, 1, 3, 7, 1 << 20, 1ll << 40, (1ull << 63) + 5, "F16", "Q", 2.5,
                             nullptr, json::array(), json::object(), {0, 4}, {4, 0}, {-4, 4}, {1},
                             {0, 1ull << 62}};
      // clang-format on
      const json& v = values[pick(std::size(values))];
      if (!t.is_object()) {
        t = v;
      } else {
        const char* keys[] = {"dtype", "shape", "data_offsets", "extra"};
        json& field = t[keys[pick(4)]];
        if (field.is_array() && !field.empty() && rng() % 2) {
          field[pick(field.size())] = v;
        } else if (rng() % 5 == 0) {
          t.erase(keys[pick(3)]);
        } else {
          field = v;
        }
      }
      const std::string out = j.dump();
      std::vector<std::byte> nb = raw_file(out, 0);
      nb.insert(nb.end(), b.begin() + hend, b.end());
      b = std::move(nb);
      break;
    }
    case 4: {  // overwrite the length field with something near the real one
      if (b.size() < 8) break;
      const uint64_t n = header_len(b) + (rng() % 17) - 8;
      std::memcpy(b.data(), &n, 8);
      break;
    }
    default:  // random byte overwrite anywhere
      if (!b.empty()) b[pick(b.size())] = std::byte(rng() & 0xff);
      break;
  }
}

// Randomly corrupted files never crash or throw anything but hd::Error; opened ones are sound.
TEST(Safetensors, FuzzCorruptedFiles) {
  TempDir dir;
  std::vector<std::vector<std::byte>> seeds;
  seeds.push_back(sample_writer().serialize());
  {
    SafetensorsWriter w;
    const uint16_t h[6] = {0x3C00, 0x7C00, 0x7E00, 0x0001, 0x8000, 0xC100};
    w.add("h", DType::kF16, {2, 3}, h, sizeof h);
    w.add("bf", DType::kBF16, {3, 2}, h, sizeof h);
    const float s = 2.0f;
    w.add_f32("s", {}, &s);
    w.add("z", DType::kF64, {0}, nullptr, 0);
    seeds.push_back(w.serialize());
  }
  seeds.push_back(raw_file(R"({"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})", 3));

  std::mt19937_64 rng(20240611);
  const fs::path p = dir / "fuzz.safetensors";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  size_t iterations = 0, opened = 0, rejected = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto bytes = seeds[rng() % seeds.size()];
    for (int m = 1 + static_cast<int>(rng() % 3); m > 0; --m) mutate(bytes, rng);
    const bool via_file = iterations % 8 == 0;
    if (via_file) write_bytes(p, bytes);
    try {
      const auto f = via_file ? SafetensorsFile::open(p)
                              : SafetensorsFile::from_buffer(bytes, "fuzz.safetensors");
      check_input(f);
      ++opened;
    } catch (const hd::Error&) {
      ++rejected;
    } catch (const std::exception& e) {
      FAIL() << "iteration " << iterations << ": non-hd exception: " << e.what();
    }
    ++iterations;
    if (testing::Test::HasFailure()) break;
  }
  std::cout << "fuzz: " << iterations << " inputs, " << opened << " opened, " << rejected
            << " rejected\n";
  EXPECT_GT(iterations, 500u);
  EXPECT_GT(opened, 0u);
  EXPECT_GT(rejected, 0u);
}
