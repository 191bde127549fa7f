// PNG files through libpng (io/png_file.h): what the programs write reads back exactly, and
// PNGs of other kinds (palette, 1-bit and 16-bit gray, RGBA), written by Pillow, decode to
// the RGB pixels Pillow gives (fixtures in tests/fixtures/data/png, made with Pillow 12).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/png_file.h"

namespace hd {
namespace {
namespace fs = std::filesystem;

fs::path fixtures() {
  return fs::path(HD_TEST_DATA_DIR) / "png";
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "hd_png_test";
  fs::create_directories(dir);
  return dir / name;
}

// RGB and BGR pixels with padded rows round-trip pixel for pixel, and the file is a PNG of
// the right size (signature and IHDR checked by hand).
TEST(PngFile, WritesWhatReadsBack) {
  const int w = 37, h = 11;
  const size_t stride = w * 3 + 5;
  std::vector<uint8_t> pixels(stride * h);
  std::mt19937 rng(3);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng());
  const fs::path file = scratch("rgb.png");
  write_png(file, pixels.data(), w, h, 3, PixelOrder::kRgb, stride);
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(std::string(bytes.begin() + 1, bytes.begin() + 4), "PNG");
  EXPECT_EQ(std::string(bytes.begin() + 12, bytes.begin() + 16), "IHDR");
  EXPECT_EQ(bytes[19], w);
  EXPECT_EQ(bytes[23], h);

  RgbImage back = read_png_rgb(file);
  ASSERT_EQ(back.width, w);
  ASSERT_EQ(back.height, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * 3; ++x)
      ASSERT_EQ(back.rgb[y * w * 3 + x], pixels[y * stride + x]) << x << "," << y;

  write_png(file, pixels.data(), w, h, 3, PixelOrder::kBgr, stride);
  back = read_png_rgb(file);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(back.rgb[(y * w + x) * 3 + c], pixels[y * stride + x * 3 + 2 - c])
            << x << "," << y;
}

TEST(PngFile, DecodesOtherKindsAsPillowDoes) {
  std::ifstream in(fixtures() / "expected_rgb.json");
  const nlohmann::json expected = nlohmann::json::parse(in);
  for (const char* name : {"palette", "gray1", "rgba", "gray16"}) {
    SCOPED_TRACE(name);
    const RgbImage img = read_png_rgb(fixtures() / (std::string(name) + ".png"));
    const auto& e = expected.at(name);
    ASSERT_EQ(img.width, e.at("width").get<int>());
    ASSERT_EQ(img.height, e.at("height").get<int>());
    EXPECT_EQ(img.rgb, e.at("rgb").get<std::vector<uint8_t>>());
  }
}

// Bad input: errors name the file and what is wrong.
TEST(PngFile, BadFilesAreNamed) {
  const fs::path text = scratch("not_png.png");
  std::ofstream(text) << "hello, not a png";
  const fs::path truncated = scratch("truncated.png");
  {
    std::ifstream in(fixtures() / "palette.png", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  for (const auto& [file, what] :
       {std::pair{scratch("missing.png"), std::string("cannot open")},
        std::pair{text, std::string("not a PNG file")}, std::pair{truncated, std::string("")}}) {
    try {
      read_png_rgb(file);
      ADD_FAILURE() << file << " was read";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(file.string() + ": " + what), std::string::npos)
          << e.what();
    }
  }
  const uint8_t px[3] = {1, 2, 3};
  EXPECT_THROW(encode_png(px, 1, 1, 2), std::exception);
  EXPECT_THROW(encode_png(px, 0, 1, 3), std::exception);
}

}  // namespace
}  // namespace hd
