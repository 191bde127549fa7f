// Reading and writing the safetensors format (https://huggingface.co/docs/safetensors):
//   [u64 little-endian N][N bytes of JSON header][data section]
// The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]}, with
// offsets relative to the start of the data section, plus an optional "__metadata__"
// object of string values. Plain C++: no libtorch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace hd {

enum class DType { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

// The safetensors spelling: "F64", "F32", "F16", "BF16", "I64", ..., "U8", "BOOL".
const char* dtype_name(DType dtype);
// Bytes per element.
size_t dtype_size(DType dtype);
// Inverse of dtype_name; nullopt for an unknown (or unsupported) spelling.
std::optional<DType> dtype_from_name(std::string_view name);

// One tensor inside a SafetensorsFile. `data` points into the file's bytes (possibly
// unaligned: read elements with memcpy) and stays valid while the file object lives.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;  // empty for a 0-d (scalar) tensor
  const std::byte* data = nullptr;
  size_t nbytes = 0;

  int64_t numel() const;
};

// Formats a shape as "[3,4]" (used in error messages).
std::string shape_str(const std::vector<int64_t>& shape);

// A parsed, validated safetensors file. The file is memory-mapped read-only (or read into
// memory when mmap fails). Move-only; views stay valid across moves.
class SafetensorsFile {
 public:
  // Opens and validates `path`. Throws hd::Error naming the file, the tensor key and the
  // values at fault for anything malformed (see the checks in safetensors.cpp).
  static SafetensorsFile open(const std::filesystem::path& path);
  // Parses an in-memory copy of a file; `origin` is used in error messages and path().
  static SafetensorsFile from_buffer(std::vector<std::byte> bytes, std::filesystem::path origin);

  SafetensorsFile(SafetensorsFile&& other) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  // All tensors, sorted by name (byte-wise), whatever their order in the file.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  // nullptr when absent.
  const TensorView* find(std::string_view name) const;
  // Throws hd::Error naming the file and the key when absent.
  const TensorView& at(std::string_view name) const;
  // The "__metadata__" string map (empty if the file has none).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::filesystem::path& path() const { return path_; }

  // The whole file's bytes (mapped or in memory); every view lies inside this range.
  std::span<const std::byte> file_bytes() const { return {base_, size_}; }
  bool is_mapped() const { return mapped_; }

 private:
  SafetensorsFile() = default;
  void parse();
  void release() noexcept;

  std::filesystem::path path_;
  const std::byte* base_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;            // base_ is an mmap region of size_ bytes
  std::vector<std::byte> buffer_;  // owns the bytes when not mapped
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// Exact conversions of one half-precision value to float.
float f16_to_f32(uint16_t bits);
float bf16_to_f32(uint16_t bits);

// Converts F32/F16/BF16/F64 tensors to float32; `dst` must hold view.numel() floats.
// Throws hd::Error naming the tensor and its dtype for any other dtype.
void to_float32(const TensorView& view, float* dst);
std::vector<float> to_float32(const TensorView& view);

// Builds a safetensors file in memory and writes it atomically.
class SafetensorsWriter {
 public:
  // Copies `nbytes` bytes from `data`. Throws hd::Error when nbytes != numel * dtype_size,
  // a dimension is negative, the name is "__metadata__" or already added.
  void add(std::string name, DType dtype, std::vector<int64_t> shape, const void* data,
           size_t nbytes);
  // Copies numel(shape) floats from `data` as an F32 tensor.
  void add_f32(std::string name, std::vector<int64_t> shape, const float* data);
  void set_metadata(std::string key, std::string value);

  // Writes `<path>.tmp-<pid>` in the same folder, fsyncs it and renames it over `path`.
  // Tensors are laid out sorted by name; the header is padded with spaces to a multiple
  // of 8 bytes. Throws hd::Error (and removes the temporary file) on failure.
  void write(const std::filesystem::path& path) const;
  // The bytes write() would produce.
  std::vector<std::byte> serialize() const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> bytes;
  };
  std::map<std::string, Entry> entries_;  // sorted by name: the data-section order
  std::map<std::string, std::string> metadata_;
};

}  // namespace hd
