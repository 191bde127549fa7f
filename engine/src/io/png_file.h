// PNG files through libpng: the images, sheets and plots the programs write and the images
// an evaluation reads back. (OpenCV's imgcodecs would do it too, but Debian's build of it
// links GDAL, DICOM, OpenEXR and video codecs: some 150 MB of libraries for PNG.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace hd {

enum class PixelOrder { kRgb, kBgr };  // of 3- and 4-channel pixels (OpenCV's is BGR)

// 8-bit pixels, `channels` 1 (gray), 3 (RGB / BGR) or 4 (with alpha), rows `stride` bytes
// apart (0: packed), as PNG bytes. Throws hd::Error on bad sizes.
std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels,
                                PixelOrder order = PixelOrder::kRgb, size_t stride = 0);
// encode_png, written atomically (write_file_atomic).
void write_png(const std::filesystem::path& file, const uint8_t* pixels, int width, int height,
               int channels, PixelOrder order = PixelOrder::kRgb, size_t stride = 0);

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // [height, width, 3]
};
// Any PNG (gray, palette, 16-bit, with alpha or transparency) as 8-bit RGB: 16-bit samples
// are rounded, alpha is dropped (not composited). Throws hd::Error naming the file.
RgbImage read_png_rgb(const std::filesystem::path& file);

}  // namespace hd
