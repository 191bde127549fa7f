// The hd_spm module: sentencepiece behind a C ABI (declared in spm_loader.h). It links only
// sentencepiece and is loaded at run time by spm_loader.cpp; see there for why. No exception
// and no C++ type crosses the boundary.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "tokenizers/spm_loader.h"

#define HD_SPM_EXPORT extern "C" __attribute__((visibility("default")))

struct hd_spm_model {
  sentencepiece::SentencePieceProcessor processor;
  const char* type = "unigram";
};

namespace {

void set_error(char* error, size_t error_size, const std::string& message) {
  if (!error || error_size == 0) return;
  const size_t n = std::min(message.size(), error_size - 1);
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

// Reads one varint at p; false when the data ends first.
bool read_varint(const unsigned char*& p, const unsigned char* end, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const unsigned char b = *p++;
    value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Calls visit(field, wire_type, value, payload, payload_size) for each field of a serialized
// protobuf message; stops at the first malformed field.
template <class Visit>
void for_each_field(const std::string& bytes, Visit visit) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* end = p + bytes.size();
  while (p < end) {
    uint64_t key = 0, value = 0;
    if (!read_varint(p, end, key)) return;
    const unsigned wire = key & 7;
    const uint64_t field = key >> 3;
    if (wire == 0) {
      if (!read_varint(p, end, value)) return;
      visit(field, wire, value, nullptr, 0);
    } else if (wire == 1 || wire == 5) {
      const size_t n = wire == 1 ? 8 : 4;
      if (static_cast<size_t>(end - p) < n) return;
      p += n;
    } else if (wire == 2) {
      if (!read_varint(p, end, value) || value > static_cast<uint64_t>(end - p)) return;
      visit(field, wire, value, reinterpret_cast<const char*>(p), static_cast<size_t>(value));
      p += value;
    } else {
      return;
    }
  }
}

// ModelProto.trainer_spec (field 2) . model_type (field 3): 1 unigram (default), 2 bpe, 3 word,
// 4 char. The generated protobuf classes are not installed, so the two fields are read by hand.
const char* model_type_of(const std::string& serialized) {
  const char* type = "unigram";
  for_each_field(
      serialized, [&](uint64_t field, unsigned wire, uint64_t, const char* data, size_t size) {
        if (field != 2 || wire != 2) return;
        for_each_field(std::string(data, size), [&](uint64_t f, unsigned w, uint64_t value,
                                                    const char*, size_t) {
          if (f != 3 || w != 0) return;
          static const char* const kNames[] = {"unigram", "unigram", "bpe", "word", "char"};
          if (value < 5) type = kNames[value];
        });
      });
  return type;
}

// Feeds the trainer the lines of a file, so that paths never go through its flag parser.
class FileSentences : public sentencepiece::SentenceIterator {
 public:
  explicit FileSentences(const std::string& path) : in_(path, std::ios::binary), path_(path) {
    if (!in_) {
      status_ = sentencepiece::util::Status(sentencepiece::util::StatusCode::kNotFound,
                                            "cannot open the corpus " + path);
      done_ = true;
    } else {
      Next();
    }
  }
  bool done() const override { return done_; }
  void Next() override {
    if (done_) return;
    if (!std::getline(in_, line_)) {
      done_ = true;
      if (in_.bad()) {
        status_ = sentencepiece::util::Status(sentencepiece::util::StatusCode::kDataLoss,
                                              "cannot read the corpus " + path_);
      }
      return;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  }
  const std::string& value() const override { return line_; }
  sentencepiece::util::Status status() const override { return status_; }

 private:
  std::ifstream in_;
  std::string path_, line_;
  bool done_ = false;
  sentencepiece::util::Status status_;
};

std::string train(const hd_spm_train_options& o) {
  if (!o.corpus_path || !o.model_path) return "corpus_path and model_path are required";
  const std::string type = o.model_type ? o.model_type : "";
  if (type != "bpe" && type != "unigram") {
    return "model_type must be \"bpe\" or \"unigram\", not \"" + type + "\"";
  }
  if (o.vocab_size <= 0) return "vocab_size must be positive";
  if (o.num_user_defined_symbols < 0 ||
      (o.num_user_defined_symbols > 0 && !o.user_defined_symbols)) {
    return "bad user_defined_symbols";
  }
  std::string symbols;
  for (int i = 0; i < o.num_user_defined_symbols; ++i) {
    const std::string s = o.user_defined_symbols[i] ? o.user_defined_symbols[i] : "";
    if (s.empty() || s.find(',') != std::string::npos) {
      return "user-defined symbol \"" + s + "\" is empty or contains a comma";
    }
    symbols += (i ? "," : "") + s;
  }
  // No model_prefix: the trainer returns the model, which is written to model_path here.
  std::unordered_map<std::string, std::string> args = {
      {"model_type", type},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"character_coverage", std::to_string(o.character_coverage)},
      {"unk_id", std::to_string(o.unk_id)},
      {"bos_id", std::to_string(o.bos_id)},
      {"eos_id", std::to_string(o.eos_id)},
      {"pad_id", std::to_string(o.pad_id)},
      {"minloglevel", std::to_string(o.log_level)},
  };
  if (!symbols.empty()) args["user_defined_symbols"] = symbols;
  if (o.num_threads > 0) args["num_threads"] = std::to_string(o.num_threads);
  const std::pair<const char*, const char*> pieces[] = {{"unk_piece", o.unk_piece},
                                                        {"bos_piece", o.bos_piece},
                                                        {"eos_piece", o.eos_piece},
                                                        {"pad_piece", o.pad_piece}};
  for (const auto& [key, piece] : pieces) {
    if (piece) args[key] = piece;
  }
  sentencepiece::SetRandomGeneratorSeed(o.seed);
  FileSentences sentences(o.corpus_path);
  std::string model;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &sentences, &model);
  if (!status.ok()) return status.ToString();
  std::ofstream out(o.model_path, std::ios::binary | std::ios::trunc);
  out.write(model.data(), static_cast<std::streamsize>(model.size()));
  out.close();
  if (!out) return std::string("cannot write ") + o.model_path;
  return {};
}

hd_spm_model* finish_load(std::unique_ptr<hd_spm_model> model,
                          const sentencepiece::util::Status& status, char* error,
                          size_t error_size) {
  if (!status.ok()) {
    set_error(error, error_size, status.ToString());
    return nullptr;
  }
  model->type = model_type_of(model->processor.serialized_model_proto());
  return model.release();
}

}  // namespace

HD_SPM_EXPORT int32_t hd_spm_abi_version(void) {
  return HD_SPM_ABI_VERSION;
}

HD_SPM_EXPORT int32_t hd_spm_train(const hd_spm_train_options* options, char* error,
                                   size_t error_size) {
  try {
    const std::string message = options ? train(*options) : "no options";
    if (message.empty()) return 0;
    set_error(error, error_size, message);
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
  } catch (...) {
    set_error(error, error_size, "unknown error while training");
  }
  return -1;
}

HD_SPM_EXPORT hd_spm_model* hd_spm_load_bytes(const char* data, size_t size, char* error,
                                              size_t error_size) {
  try {
    auto model = std::make_unique<hd_spm_model>();
    const auto status = model->processor.LoadFromSerializedProto(
        std::string_view(data ? data : "", data ? size : 0));
    return finish_load(std::move(model), status, error, error_size);
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
  } catch (...) {
    set_error(error, error_size, "unknown error while loading");
  }
  return nullptr;
}

HD_SPM_EXPORT hd_spm_model* hd_spm_load_file(const char* path, char* error, size_t error_size) {
  try {
    auto model = std::make_unique<hd_spm_model>();
    const auto status = model->processor.Load(path ? path : "");
    return finish_load(std::move(model), status, error, error_size);
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
  } catch (...) {
    set_error(error, error_size, "unknown error while loading");
  }
  return nullptr;
}

HD_SPM_EXPORT void hd_spm_free(hd_spm_model* model) {
  delete model;
}

HD_SPM_EXPORT int32_t hd_spm_vocab_size(const hd_spm_model* model) {
  return model->processor.GetPieceSize();
}

HD_SPM_EXPORT void hd_spm_special_ids(const hd_spm_model* model, int32_t* ids) {
  const auto& p = model->processor;
  ids[0] = p.unk_id();
  ids[1] = p.bos_id();
  ids[2] = p.eos_id();
  ids[3] = p.pad_id();
}

HD_SPM_EXPORT const char* hd_spm_model_type(const hd_spm_model* model) {
  return model->type;
}

HD_SPM_EXPORT int32_t hd_spm_piece_to_id(const hd_spm_model* model, const char* piece,
                                         size_t size) {
  try {
    const std::string_view s(piece ? piece : "", piece ? size : 0);
    const int id = model->processor.PieceToId(s);
    // PieceToId answers unk_id for anything it does not know: check the spelling.
    if (id < 0 || model->processor.IdToPiece(id) != s) return -1;
    return id;
  } catch (...) {
    return -1;
  }
}

HD_SPM_EXPORT int64_t hd_spm_id_to_piece(const hd_spm_model* model, int32_t id, char* buf,
                                         size_t buf_size) {
  if (id < 0 || id >= model->processor.GetPieceSize()) return -1;
  const std::string& piece = model->processor.IdToPiece(id);
  if (buf && piece.size() <= buf_size) std::memcpy(buf, piece.data(), piece.size());
  return static_cast<int64_t>(piece.size());
}

HD_SPM_EXPORT int32_t hd_spm_encode(const hd_spm_model* model, const char* text, size_t size,
                                    int32_t* ids, uint32_t* piece_ends, size_t ids_capacity,
                                    size_t* num_ids, char* pieces, size_t pieces_capacity,
                                    size_t* pieces_size, char* error, size_t error_size) {
  try {
    sentencepiece::ImmutableSentencePieceText spt;
    const auto status = model->processor.Encode(std::string_view(text ? text : "", text ? size : 0),
                                                spt.mutable_proto());
    if (!status.ok()) {
      set_error(error, error_size, status.ToString());
      return -1;
    }
    const size_t n = spt.pieces_size();
    size_t bytes = 0;
    for (size_t i = 0; i < n; ++i) bytes += spt.pieces(static_cast<int>(i)).piece().size();
    if (num_ids) *num_ids = n;
    if (pieces_size) *pieces_size = bytes;
    if (bytes > UINT32_MAX) {
      set_error(error, error_size, "text too long");
      return -1;
    }
    if (n > ids_capacity || bytes > pieces_capacity || (n && (!ids || !piece_ends)) ||
        (bytes && !pieces)) {
      return 1;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; ++i) {
      const auto piece = spt.pieces(static_cast<int>(i));
      ids[i] = static_cast<int32_t>(piece.id());
      std::memcpy(pieces + at, piece.piece().data(), piece.piece().size());
      at += piece.piece().size();
      piece_ends[i] = static_cast<uint32_t>(at);
    }
    return 0;
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
  } catch (...) {
    set_error(error, error_size, "unknown error while encoding");
  }
  return -1;
}

// The signatures must match the function types the loader resolves them as.
static_assert(std::is_same_v<decltype(&hd_spm_abi_version), hd_spm_abi_version_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_train), hd_spm_train_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_load_bytes), hd_spm_load_bytes_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_load_file), hd_spm_load_file_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_free), hd_spm_free_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_vocab_size), hd_spm_vocab_size_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_special_ids), hd_spm_special_ids_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_model_type), hd_spm_model_type_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_piece_to_id), hd_spm_piece_to_id_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_id_to_piece), hd_spm_id_to_piece_fn>);
static_assert(std::is_same_v<decltype(&hd_spm_encode), hd_spm_encode_fn>);
