#include "io/png_file.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <png.h>

#include "common/error.h"
#include "io/atomic_file.h"

namespace hd {
namespace {

// libpng reports errors by longjmp; the message is kept here for the hd::Error.
struct ErrorState {
  std::string message;
};

void on_error(png_structp png, png_const_charp message) {
  if (auto* state = static_cast<ErrorState*>(png_get_error_ptr(png))) state->message = message;
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void append_bytes(png_structp png, png_bytep data, png_size_t size) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + size);
}

void no_flush(png_structp) {}

}  // namespace

std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels,
                                PixelOrder order, size_t stride) {
  if (!pixels || width <= 0 || height <= 0) fail("encode_png: empty image ", width, "x", height);
  int colour_type = 0;
  switch (channels) {
    case 1:
      colour_type = PNG_COLOR_TYPE_GRAY;
      break;
    case 3:
      colour_type = PNG_COLOR_TYPE_RGB;
      break;
    case 4:
      colour_type = PNG_COLOR_TYPE_RGB_ALPHA;
      break;
    default:
      fail("encode_png: ", channels, " channels (1, 3 or 4)");
  }
  if (stride == 0) stride = static_cast<size_t>(width) * channels;
  if (stride < static_cast<size_t>(width) * channels)
    fail("encode_png: row stride ", stride, " is too small");

  ErrorState state;
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (!png) fail("encode_png: libpng could not start");
  png_infop info = png_create_info_struct(png);
  std::vector<png_bytep> rows(static_cast<size_t>(height));
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    fail("encode_png: ", state.message.empty() ? "libpng failed" : state.message);
  }
  png_set_write_fn(png, &out, append_bytes, no_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               colour_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  if (order == PixelOrder::kBgr && channels >= 3) png_set_bgr(png);
  for (int y = 0; y < height; ++y) rows[y] = const_cast<png_bytep>(pixels + y * stride);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

void write_png(const std::filesystem::path& file, const uint8_t* pixels, int width, int height,
               int channels, PixelOrder order, size_t stride) {
  const std::vector<uint8_t> bytes = encode_png(pixels, width, height, channels, order, stride);
  write_file_atomic(file, bytes.data(), bytes.size());
}

RgbImage read_png_rgb(const std::filesystem::path& file) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), std::fclose);
  if (!f) fail(file.string(), ": cannot open the image");
  png_byte signature[8] = {};
  if (std::fread(signature, 1, 8, f.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
    fail(file.string(), ": not a PNG file");
  }
  ErrorState state;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (!png) fail(file.string(), ": libpng could not start");
  png_infop info = png_create_info_struct(png);
  RgbImage image;
  std::vector<png_bytep> rows;
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    fail(file.string(), ": ", state.message.empty() ? "cannot decode the PNG" : state.message);
  }
  png_init_io(png, f.get());
  png_set_sig_bytes(png, 8);
  png_read_info(png, info);
  const png_byte colour = png_get_color_type(png, info);
  const png_byte depth = png_get_bit_depth(png, info);
  if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16) png_set_scale_16(png);  // rounds, as other decoders do
  if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb(png);
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  image.width = static_cast<int>(png_get_image_width(png, info));
  image.height = static_cast<int>(png_get_image_height(png, info));
  if (png_get_rowbytes(png, info) != static_cast<size_t>(image.width) * 3) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail(file.string(), ": unexpected PNG layout after conversion to RGB");
  }
  image.rgb.resize(static_cast<size_t>(image.width) * image.height * 3);
  rows.resize(static_cast<size_t>(image.height));
  for (int y = 0; y < image.height; ++y)
    rows[y] = image.rgb.data() + static_cast<size_t>(y) * image.width * 3;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return image;
}

}  // namespace hd
