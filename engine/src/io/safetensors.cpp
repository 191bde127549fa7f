#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

static_assert(std::endian::native == std::endian::little,
              "safetensors reading assumes a little-endian host");

namespace hd {
namespace {

using nlohmann::json;

// A header longer than this is not a real safetensors file (real ones are < 10 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kF64, "F64", 8},   {DType::kF32, "F32", 4}, {DType::kF16, "F16", 2},
    {DType::kBF16, "BF16", 2}, {DType::kI64, "I64", 8}, {DType::kI32, "I32", 4},
    {DType::kI16, "I16", 2},   {DType::kI8, "I8", 1},   {DType::kU8, "U8", 1},
    {DType::kBool, "BOOL", 1},
};

const DTypeInfo& info(DType dtype) {
  for (const auto& i : kDTypes) {
    if (i.dtype == dtype) return i;
  }
  fail("invalid DType value ", static_cast<int>(dtype));
}

std::string known_dtypes() {
  std::string s;
  for (const auto& i : kDTypes) {
    if (!s.empty()) s += ", ";
    s += i.name;
  }
  return s;
}

// A JSON value shortened for an error message.
std::string brief(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// Product of the dimensions, or nullopt on a negative dimension or overflow of int64.
std::optional<uint64_t> checked_numel(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) return 0;
  }
  for (int64_t d : shape) {
    if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) return std::nullopt;
  }
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return n;
}

// numel * dtype_size, or nullopt on overflow.
std::optional<uint64_t> checked_bytes(uint64_t numel, DType dtype) {
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(numel, static_cast<uint64_t>(dtype_size(dtype)), &bytes)) {
    return std::nullopt;
  }
  return bytes;
}

// Reads a JSON integer >= 0 (as uint64), or nullopt for anything else.
std::optional<uint64_t> non_negative_int(const json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v >= 0) return static_cast<uint64_t>(v);
  }
  return std::nullopt;
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string errno_str() {
  return std::strerror(errno);
}

}  // namespace

const char* dtype_name(DType dtype) {
  return info(dtype).name;
}
size_t dtype_size(DType dtype) {
  return info(dtype).size;
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& i : kDTypes) {
    if (name == i.name) return i.dtype;
  }
  return std::nullopt;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// ---------------------------------------------------------------------------------------
// SafetensorsFile

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  const std::string file = path.string();
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) {
    if (errno == ENOENT) fail(file, ": file not found");
    fail(file, ": cannot open: ", errno_str());
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) fail(file, ": cannot stat: ", errno_str());
  if (!S_ISREG(st.st_mode)) fail(file, ": not a regular file");
  const size_t size = static_cast<size_t>(st.st_size);

  SafetensorsFile f;
  f.path_ = path;
  if (size >= 8) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (p != MAP_FAILED) {
      f.base_ = static_cast<const std::byte*>(p);
      f.size_ = size;
      f.mapped_ = true;
    }
  }
  if (!f.mapped_) {  // mmap failed (or tiny file): read it into memory
    f.buffer_.resize(size);
    size_t done = 0;
    while (done < size) {
      const ssize_t r = ::read(fd.fd, f.buffer_.data() + done, size - done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) fail(file, ": read error: ", errno_str());
      if (r == 0) break;  // file shrank meanwhile
      done += static_cast<size_t>(r);
    }
    f.buffer_.resize(done);
    f.base_ = f.buffer_.data();
    f.size_ = done;
  }
  f.parse();
  return f;
}

SafetensorsFile SafetensorsFile::from_buffer(std::vector<std::byte> bytes,
                                             std::filesystem::path origin) {
  SafetensorsFile f;
  f.path_ = std::move(origin);
  f.buffer_ = std::move(bytes);
  f.base_ = f.buffer_.data();
  f.size_ = f.buffer_.size();
  f.parse();
  return f;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, false)),
      buffer_(std::move(other.buffer_)),
      tensors_(std::move(other.tensors_)),
      metadata_(std::move(other.metadata_)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
    buffer_ = std::move(other.buffer_);
    tensors_ = std::move(other.tensors_);
    metadata_ = std::move(other.metadata_);
  }
  return *this;
}

SafetensorsFile::~SafetensorsFile() {
  release();
}

void SafetensorsFile::release() noexcept {
  if (mapped_ && base_) ::munmap(const_cast<std::byte*>(base_), size_);
  base_ = nullptr;
  size_ = 0;
  mapped_ = false;
  buffer_.clear();
  tensors_.clear();
}

// Validates the whole header; on success tensors_ and metadata_ are filled, sorted by name.
void SafetensorsFile::parse() {
  const std::string file = path_.string();
  if (size_ < 8) {
    fail(file, ": file is ", size_, " bytes, too short for the 8-byte header length");
  }
  uint64_t header_len = 0;
  std::memcpy(&header_len, base_, 8);
  if (header_len > kMaxHeaderBytes) {
    fail(file, ": header length ", header_len, " bytes exceeds the limit of ", kMaxHeaderBytes,
         " bytes (not a safetensors file?)");
  }
  if (header_len > size_ - 8) {
    fail(file, ": header length ", header_len, " bytes but only ", size_ - 8,
         " bytes follow (file truncated?)");
  }
  const char* text = reinterpret_cast<const char*>(base_ + 8);
  json header;
  try {
    header = json::parse(text, text + header_len);
  } catch (const json::parse_error& e) {
    fail(file, ": header is not valid JSON (at byte ", e.byte, " of ", header_len, "): ", e.what());
  }
  if (!header.is_object()) {
    fail(file, ": header must be a JSON object, got ", header.type_name(), " ", brief(header));
  }

  const uint64_t data_size = size_ - 8 - header_len;
  const std::byte* data = base_ + 8 + header_len;
  struct Range {
    uint64_t begin, end;
    size_t index;
  };
  std::vector<Range> ranges;
  std::vector<TensorView> tensors;
  std::map<std::string, std::string> metadata;

  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (value.is_null()) continue;
      if (!value.is_object()) {
        fail(file, ": __metadata__ must be an object of strings, got ", brief(value));
      }
      for (const auto& [mkey, mvalue] : value.items()) {
        if (!mvalue.is_string()) {
          fail(file, ": __metadata__ key '", mkey, "' must be a string, got ", brief(mvalue));
        }
        metadata.emplace(mkey, mvalue.get<std::string>());
      }
      continue;
    }
    const std::string where = str(file, ": tensor '", key, "'");
    if (!value.is_object()) fail(where, " must be an object, got ", brief(value));

    // dtype
    const auto dt = value.find("dtype");
    if (dt == value.end()) fail(where, " has no \"dtype\"");
    if (!dt->is_string()) fail(where, " has a non-string dtype ", brief(*dt));
    const auto& dtype_text = dt->get_ref<const std::string&>();
    const std::optional<DType> dtype = dtype_from_name(dtype_text);
    if (!dtype) {
      fail(where, " has unknown dtype \"", dtype_text, "\" (known: ", known_dtypes(), ")");
    }

    // shape
    const auto sh = value.find("shape");
    if (sh == value.end()) fail(where, " has no \"shape\"");
    if (!sh->is_array()) fail(where, " has a shape that is not an array: ", brief(*sh));
    std::vector<int64_t> shape;
    shape.reserve(sh->size());
    for (const auto& d : *sh) {
      if (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0) {
        fail(where, " has negative dimension ", d.get<int64_t>(), " in shape ", brief(*sh));
      }
      const std::optional<uint64_t> v = non_negative_int(d);
      if (!v || *v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        fail(where, " has shape ", brief(*sh),
             " with a dimension that is not an integer >= 0: ", brief(d));
      }
      shape.push_back(static_cast<int64_t>(*v));
    }
    const std::optional<uint64_t> numel = checked_numel(shape);
    if (!numel) fail(where, " has shape ", shape_str(shape), " whose element count overflows");

    // data_offsets
    const auto off = value.find("data_offsets");
    if (off == value.end()) fail(where, " has no \"data_offsets\"");
    if (!off->is_array() || off->size() != 2) {
      fail(where, " has data_offsets ", brief(*off), "; expected [begin, end]");
    }
    const std::optional<uint64_t> begin = non_negative_int((*off)[0]);
    const std::optional<uint64_t> end = non_negative_int((*off)[1]);
    if (!begin || !end) {
      fail(where, " has data_offsets ", brief(*off), "; expected two integers >= 0");
    }
    if (*begin > *end) {
      fail(where, " has data_offsets [", *begin, ",", *end, "] with begin > end");
    }
    if (*end > data_size) {
      fail(where, " has data_offsets [", *begin, ",", *end, "] beyond the data section of ",
           data_size, " bytes");
    }
    const std::optional<uint64_t> bytes = checked_bytes(*numel, *dtype);
    if (!bytes || *bytes != *end - *begin) {
      fail(where, " has dtype ", dtype_text, " and shape ", shape_str(shape), " = ",
           bytes ? std::to_string(*bytes) : std::string("too many"),
           " bytes but data_offsets span ", *end - *begin, " bytes");
    }

    ranges.push_back({*begin, *end, tensors.size()});
    tensors.push_back(TensorView{key, *dtype, std::move(shape), data + *begin,
                                 static_cast<size_t>(*end - *begin)});
  }

  // No two non-empty byte ranges may share a byte.
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const Range* widest = nullptr;  // the range reaching furthest so far
  for (const Range& r : ranges) {
    if (r.begin == r.end) continue;
    if (widest && r.begin < widest->end) {
      fail(file, ": tensors '", tensors[widest->index].name, "' [", widest->begin, ",", widest->end,
           "] and '", tensors[r.index].name, "' [", r.begin, ",", r.end,
           "] have overlapping data_offsets");
    }
    if (!widest || r.end > widest->end) widest = &r;
  }

  tensors_ = std::move(tensors);  // already sorted: json objects iterate by key
  metadata_ = std::move(metadata);
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  const auto it = std::lower_bound(
      tensors_.begin(), tensors_.end(), name,
      [](const TensorView& t, std::string_view n) { return std::string_view(t.name) < n; });
  if (it == tensors_.end() || it->name != name) return nullptr;
  return &*it;
}

const TensorView& SafetensorsFile::at(std::string_view name) const {
  const TensorView* t = find(name);
  if (!t) {
    fail(path_.string(), ": no tensor '", name, "' (the file has ", tensors_.size(), " tensors)");
  }
  return *t;
}

// ---------------------------------------------------------------------------------------
// Conversion

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits = 0;
  if (exp == 0x1f) {  // inf / nan (payload kept)
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {  // normal
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal: mant * 2^-24, renormalized (exact in float)
    exp = 113;
    while (!(mant & 0x400u)) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

float bf16_to_f32(uint16_t h) {
  return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
}

void to_float32(const TensorView& view, float* dst) {
  const size_t n = static_cast<size_t>(view.numel());
  if (n * dtype_size(view.dtype) != view.nbytes) {
    fail("tensor '", view.name, "': shape ", shape_str(view.shape), " does not match its ",
         view.nbytes, " bytes of ", dtype_name(view.dtype));
  }
  const std::byte* src = view.data;
  switch (view.dtype) {
    case DType::kF32:
      if (n) std::memcpy(dst, src, n * sizeof(float));
      return;
    case DType::kF64:
      for (size_t i = 0; i < n; ++i) {
        double v;
        std::memcpy(&v, src + i * 8, 8);
        dst[i] = static_cast<float>(v);
      }
      return;
    case DType::kF16:
    case DType::kBF16: {
      const bool half = view.dtype == DType::kF16;
      for (size_t i = 0; i < n; ++i) {
        uint16_t v;
        std::memcpy(&v, src + i * 2, 2);
        dst[i] = half ? f16_to_f32(v) : bf16_to_f32(v);
      }
      return;
    }
    default:
      fail("tensor '", view.name, "' has dtype ", dtype_name(view.dtype),
           "; conversion to float32 supports only F32, F16, BF16 and F64");
  }
}

std::vector<float> to_float32(const TensorView& view) {
  // Check the dtype before allocating.
  if (view.dtype != DType::kF32 && view.dtype != DType::kF16 && view.dtype != DType::kBF16 &&
      view.dtype != DType::kF64) {
    to_float32(view, nullptr);  // throws the standard message
  }
  std::vector<float> out(static_cast<size_t>(view.numel()));
  to_float32(view, out.data());
  return out;
}

// ---------------------------------------------------------------------------------------
// SafetensorsWriter

void SafetensorsWriter::add(std::string name, DType dtype, std::vector<int64_t> shape,
                            const void* data, size_t nbytes) {
  const std::string where = str("safetensors writer: tensor '", name, "'");
  if (name == "__metadata__") fail(where, ": the name is reserved for metadata");
  if (entries_.count(name)) fail(where, " was already added");
  const std::optional<uint64_t> numel = checked_numel(shape);
  if (!numel) fail(where, " has invalid shape ", shape_str(shape));
  const std::optional<uint64_t> bytes = checked_bytes(*numel, dtype);
  if (!bytes || *bytes != nbytes) {
    fail(where, " has dtype ", dtype_name(dtype), " and shape ", shape_str(shape), " = ",
         bytes ? std::to_string(*bytes) : std::string("too many"), " bytes but ", nbytes,
         " bytes were given");
  }
  if (nbytes > 0 && data == nullptr) fail(where, " has no data");
  Entry e{dtype, std::move(shape), std::vector<std::byte>(nbytes)};
  if (nbytes) std::memcpy(e.bytes.data(), data, nbytes);
  entries_.emplace(std::move(name), std::move(e));
}

void SafetensorsWriter::add_f32(std::string name, std::vector<int64_t> shape, const float* data) {
  const std::optional<uint64_t> numel = checked_numel(shape);
  if (!numel || *numel > std::numeric_limits<size_t>::max() / sizeof(float)) {
    fail("safetensors writer: tensor '", name, "' has invalid shape ", shape_str(shape));
  }
  const size_t nbytes = static_cast<size_t>(*numel) * sizeof(float);
  add(std::move(name), DType::kF32, std::move(shape), data, nbytes);
}

void SafetensorsWriter::set_metadata(std::string key, std::string value) {
  metadata_[std::move(key)] = std::move(value);
}

namespace {

// The 8-byte length followed by the space-padded JSON header.
template <class Entries>
std::string header_bytes(const Entries& entries, const std::map<std::string, std::string>& meta) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!meta.empty()) header["__metadata__"] = meta;
  uint64_t offset = 0;
  for (const auto& [name, e] : entries) {
    const uint64_t end = offset + e.bytes.size();
    header[name] = {{"dtype", dtype_name(e.dtype)},
                    {"shape", e.shape},
                    {"data_offsets", nlohmann::ordered_json::array({offset, end})}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    fail("safetensors writer: a tensor name or metadata string is not valid UTF-8: ", e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t len = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &len, 8);
  return out + text;
}

// Writes all of `n` bytes, retrying on EINTR and short writes; false on error (errno set).
bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

std::vector<std::byte> SafetensorsWriter::serialize() const {
  const std::string head = header_bytes(entries_, metadata_);
  std::vector<std::byte> out(reinterpret_cast<const std::byte*>(head.data()),
                             reinterpret_cast<const std::byte*>(head.data()) + head.size());
  for (const auto& [name, e] : entries_) out.insert(out.end(), e.bytes.begin(), e.bytes.end());
  return out;
}

void SafetensorsWriter::write(const std::filesystem::path& path) const {
  const std::string file = path.string();
  const std::string head = header_bytes(entries_, metadata_);
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());

  Fd fd{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (fd.fd < 0) fail(file, ": cannot create ", tmp.string(), ": ", errno_str());
  auto abandon = [&](const char* what) {
    const std::string err = errno_str();
    ::close(fd.fd);
    fd.fd = -1;
    ::unlink(tmp.c_str());
    fail(file, ": ", what, " ", tmp.string(), " failed: ", err);
  };
  if (!write_all(fd.fd, head.data(), head.size())) abandon("writing");
  for (const auto& [name, e] : entries_) {
    if (!write_all(fd.fd, e.bytes.data(), e.bytes.size())) abandon("writing");
  }
  if (::fsync(fd.fd) != 0) abandon("fsync of");
  const int closed = ::close(fd.fd);
  fd.fd = -1;
  if (closed != 0) {
    const std::string err = errno_str();
    ::unlink(tmp.c_str());
    fail(file, ": closing ", tmp.string(), " failed: ", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = errno_str();
    ::unlink(tmp.c_str());
    fail(file, ": renaming ", tmp.string(), " failed: ", err);
  }
  // Make the rename durable; failure here is not fatal.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  Fd dfd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dfd.fd >= 0) ::fsync(dfd.fd);
}

}  // namespace hd
