// The C ABI of the hd_spm module (spm_module.cpp) and its run-time loader.
//
// Why a module: Debian's libsentencepiece carries its own protobuf (3.14) and exports it, while
// Debian's libtorch loads the system protobuf (3.21); linking both into one executable crashes
// before main() in protobuf's static initialisers. So only the module links sentencepiece, and it
// is loaded lazily (after libtorch) with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND): the
// module's own references resolve against its own dependencies first, and nothing it brings in
// becomes visible to the rest of the process. Only C types cross the boundary.
//
// Where the module is looked for, in order (see module_candidates()):
//   1. $HD_SPM_MODULE (a file, or a folder holding the module); when set it is the only place;
//   2. next to the running executable;
//   3. <exe_dir>/../lib/hd-studio/ (the installed layout);
//   4. the build tree's copy (HD_SPM_BUILD_PATH, given by CMake).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ------------------------------------------------------------------------------------------------
// The C ABI. Strings are UTF-8; `error`/`error_size` is a caller buffer that receives a
// NUL-terminated message (truncated to fit) when a call fails.

extern "C" {

#define HD_SPM_ABI_VERSION 1

typedef struct hd_spm_model hd_spm_model;  // opaque: one loaded model

typedef struct hd_spm_train_options {
  const char* corpus_path;                  // text file, one sentence per line
  const char* model_path;                   // where the trained .model file is written
  const char* model_type;                   // "bpe" or "unigram"
  int32_t vocab_size;                       // including the special and user-defined pieces
  double character_coverage;                // e.g. 1.0, or 0.9995 for large alphabets
  const char* const* user_defined_symbols;  // always kept whole; may be null when count is 0
  int32_t num_user_defined_symbols;
  int32_t unk_id, bos_id, eos_id, pad_id;  // -1 disables bos, eos or pad (unk is required)
  const char* unk_piece;                   // null: sentencepiece's default ("<unk>", "<s>", ...)
  const char* bos_piece;
  const char* eos_piece;
  const char* pad_piece;
  uint32_t seed;        // random seed of the trainer
  int32_t num_threads;  // 0: sentencepiece's default
  int32_t log_level;    // 0 info, 1 warning, 2 error and up (the trainer logs to stderr)
} hd_spm_train_options;

// Returns HD_SPM_ABI_VERSION of the module's build.
typedef int32_t (*hd_spm_abi_version_fn)(void);
// Trains a model; returns 0, or -1 with a message in `error`.
typedef int32_t (*hd_spm_train_fn)(const hd_spm_train_options* options, char* error,
                                   size_t error_size);
// Loads a model from the bytes of a .model file or from a path; null with a message on failure.
typedef hd_spm_model* (*hd_spm_load_bytes_fn)(const char* data, size_t size, char* error,
                                              size_t error_size);
typedef hd_spm_model* (*hd_spm_load_file_fn)(const char* path, char* error, size_t error_size);
typedef void (*hd_spm_free_fn)(hd_spm_model* model);
// Number of pieces (largest id + 1).
typedef int32_t (*hd_spm_vocab_size_fn)(const hd_spm_model* model);
// ids[0..3] = unk, bos, eos, pad ids of the model, -1 for those it has none of.
typedef void (*hd_spm_special_ids_fn)(const hd_spm_model* model, int32_t* ids);
// "bpe", "unigram", "word" or "char" (a static string).
typedef const char* (*hd_spm_model_type_fn)(const hd_spm_model* model);
// Id of a piece spelled exactly so, -1 when the vocabulary has no such piece.
typedef int32_t (*hd_spm_piece_to_id_fn)(const hd_spm_model* model, const char* piece, size_t size);
// Copies the piece of `id` (not NUL-terminated) into buf when it fits; returns its size in
// bytes, or -1 for an id outside [0, vocab_size).
typedef int64_t (*hd_spm_id_to_piece_fn)(const hd_spm_model* model, int32_t id, char* buf,
                                         size_t buf_size);
// Encodes `text` (size bytes). Piece i has id ids[i] and text
// pieces[piece_ends[i - 1] .. piece_ends[i]) (from 0 for i = 0); unknown text keeps its surface.
// Sets *num_ids and *pieces_size to the sizes needed and returns 0 when they fit in
// ids_capacity (ids and piece_ends) and pieces_capacity, 1 when they do not (nothing useful was
// written: call again with larger buffers; null buffers with capacity 0 query the sizes), or -1
// with a message in `error`.
typedef int32_t (*hd_spm_encode_fn)(const hd_spm_model* model, const char* text, size_t size,
                                    int32_t* ids, uint32_t* piece_ends, size_t ids_capacity,
                                    size_t* num_ids, char* pieces, size_t pieces_capacity,
                                    size_t* pieces_size, char* error, size_t error_size);

}  // extern "C"

// ------------------------------------------------------------------------------------------------
// The C++ side: finding and loading the module, and an RAII model.

namespace hd::spm {

struct Candidate {
  std::filesystem::path path;
  std::string origin;  // why it is a candidate, e.g. "HD_SPM_MODULE" or "next to the executable"
};

// File name of the module (libhd_spm.so).
std::string module_file_name();
// The places load() tries, in order (a single one when HD_SPM_MODULE is set).
std::vector<Candidate> module_candidates();

class Module {
 public:
  // The module from the first candidate that loads; loaded once per path and never unloaded.
  // Throws hd::Error listing every path tried and why each failed (dlerror() included).
  static const Module& load();

  const std::filesystem::path& path() const { return path_; }
  // Trains a model; throws hd::Error with the module's message, naming `corpus_name`.
  void train(const hd_spm_train_options& options, const std::string& corpus_name) const;

  hd_spm_load_bytes_fn load_bytes = nullptr;
  hd_spm_load_file_fn load_file = nullptr;
  hd_spm_free_fn free_model = nullptr;
  hd_spm_vocab_size_fn vocab_size = nullptr;
  hd_spm_special_ids_fn special_ids = nullptr;
  hd_spm_model_type_fn model_type = nullptr;
  hd_spm_piece_to_id_fn piece_to_id = nullptr;
  hd_spm_id_to_piece_fn id_to_piece = nullptr;
  hd_spm_encode_fn encode = nullptr;

 private:
  friend struct ModuleRegistry;
  Module() = default;
  std::filesystem::path path_;
  hd_spm_train_fn train_ = nullptr;
};

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<std::string> pieces;  // sentencepiece's spelling, with the U+2581 word marker
};

struct SpecialIds {
  int32_t unk = -1, bos = -1, eos = -1, pad = -1;
};

// One loaded model; thread-safe (all members are const).
class Model {
 public:
  // `name` (a file name) prefixes error messages. Throws hd::Error when the bytes are not a
  // valid model or the module cannot be loaded.
  static Model from_bytes(std::string_view bytes, const std::string& name);
  static Model from_file(const std::filesystem::path& path);

  Encoding encode(std::string_view text) const;
  int vocab_size() const;
  SpecialIds special_ids() const;
  std::string model_type() const;
  int32_t piece_to_id(std::string_view piece) const;  // -1 when absent
  std::string id_to_piece(int32_t id) const;          // "" for an id out of range

 private:
  struct Deleter {
    hd_spm_free_fn free_model;
    void operator()(hd_spm_model* m) const { free_model(m); }
  };
  Model(const Module& module, hd_spm_model* handle, std::string name)
      : module_(&module), handle_(handle, Deleter{module.free_model}), name_(std::move(name)) {}

  const Module* module_;
  std::unique_ptr<hd_spm_model, Deleter> handle_;
  std::string name_;
};

}  // namespace hd::spm
