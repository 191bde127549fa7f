// Finds and loads the hd_spm module; see spm_loader.h.
#include "tokenizers/spm_loader.h"

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <map>
#include <mutex>
#include <system_error>
#include <type_traits>

#include "common/error.h"

#ifndef HD_SPM_BUILD_PATH
#define HD_SPM_BUILD_PATH ""
#endif

namespace hd::spm {
namespace {

namespace fs = std::filesystem;

constexpr size_t kErrorSize = 1024;

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::string message_of(const std::array<char, kErrorSize>& buf) {
  return buf[0] ? std::string(buf.data()) : std::string("unknown error");
}

}  // namespace

std::string module_file_name() {
  const fs::path built = HD_SPM_BUILD_PATH;
  return built.empty() ? std::string("libhd_spm.so") : built.filename().string();
}

std::vector<Candidate> module_candidates() {
  const std::string name = module_file_name();
  if (const char* env = std::getenv("HD_SPM_MODULE"); env && *env) {
    fs::path p = env;
    std::error_code ec;
    if (fs::is_directory(p, ec)) p /= name;
    return {{p, "HD_SPM_MODULE"}};
  }
  std::vector<Candidate> out;
  if (const fs::path dir = executable_dir(); !dir.empty()) {
    out.push_back({dir / name, "next to the executable"});
    out.push_back({(dir / ".." / "lib" / "hd-studio" / name).lexically_normal(),
                   "installed layout <exe_dir>/../lib/hd-studio"});
  }
  if (const fs::path built = HD_SPM_BUILD_PATH; !built.empty()) {
    out.push_back({built, "build tree"});
  }
  return out;
}

// The modules opened so far, by path; never closed (models may outlive any owner).
struct ModuleRegistry {
  std::mutex mutex;
  std::map<std::string, Module*> opened;

  static ModuleRegistry& get() {
    static auto* registry = new ModuleRegistry;
    return *registry;
  }

  // The module at `path`, or nullptr with the reason in `why`.
  const Module* open(const fs::path& path, std::string& why) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(path, ec);
    const std::string key = (ec ? path : canonical).string();
    if (const auto it = opened.find(key); it != opened.end()) return it->second;
    if (!fs::is_regular_file(path, ec)) {
      why = fs::exists(path, ec) ? "not a regular file" : "not found";
      return nullptr;
    }
    dlerror();
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!lib) {
      const char* err = dlerror();
      why = str("dlopen failed: ", err ? err : "unknown error");
      return nullptr;
    }
    std::string missing;
    auto resolve = [&](const char* symbol, auto& fn) {
      dlerror();
      void* p = dlsym(lib, symbol);
      if (!p) {
        const char* err = dlerror();
        missing += str(missing.empty() ? "" : "; ", err ? err : symbol);
      }
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
    };
    auto module = std::unique_ptr<Module>(new Module);
    module->path_ = path;
    hd_spm_abi_version_fn version = nullptr;
    resolve("hd_spm_abi_version", version);
    resolve("hd_spm_train", module->train_);
    resolve("hd_spm_load_bytes", module->load_bytes);
    resolve("hd_spm_load_file", module->load_file);
    resolve("hd_spm_free", module->free_model);
    resolve("hd_spm_vocab_size", module->vocab_size);
    resolve("hd_spm_special_ids", module->special_ids);
    resolve("hd_spm_model_type", module->model_type);
    resolve("hd_spm_piece_to_id", module->piece_to_id);
    resolve("hd_spm_id_to_piece", module->id_to_piece);
    resolve("hd_spm_encode", module->encode);
    if (!missing.empty()) {
      why = str("not an hd_spm module (dlsym: ", missing, ")");
      dlclose(lib);
      return nullptr;
    }
    if (const int v = version(); v != HD_SPM_ABI_VERSION) {
      why = str("ABI version ", v, ", this program needs ", HD_SPM_ABI_VERSION,
                " (a module from another build?)");
      dlclose(lib);
      return nullptr;
    }
    Module* m = module.release();
    opened.emplace(key, m);
    return m;
  }
};

const Module& Module::load() {
  ModuleRegistry& registry = ModuleRegistry::get();
  std::lock_guard<std::mutex> lock(registry.mutex);
  const std::vector<Candidate> candidates = module_candidates();
  std::string tried;
  for (const Candidate& c : candidates) {
    std::string why;
    if (const Module* m = registry.open(c.path, why)) return *m;
    tried += str("\n  ", c.path.string(), " (", c.origin, "): ", why);
  }
  if (candidates.empty()) tried = "\n  (no candidate path: set HD_SPM_MODULE)";
  fail("cannot load the SentencePiece module ", module_file_name(),
       " that SentencePiece tokenizers need; tried:", tried,
       "\nSet HD_SPM_MODULE to the module's path, or install it into <prefix>/lib/hd-studio.");
}

void Module::train(const hd_spm_train_options& options, const std::string& corpus_name) const {
  std::array<char, kErrorSize> error{};
  if (train_(&options, error.data(), error.size()) != 0) {
    fail("training a SentencePiece model on ", corpus_name, " failed: ", message_of(error));
  }
}

Model Model::from_bytes(std::string_view bytes, const std::string& name) {
  const Module& module = Module::load();
  std::array<char, kErrorSize> error{};
  hd_spm_model* handle = module.load_bytes(bytes.data(), bytes.size(), error.data(), error.size());
  if (!handle) fail(name, ": not a valid SentencePiece model: ", message_of(error));
  return Model(module, handle, name);
}

Model Model::from_file(const std::filesystem::path& path) {
  const Module& module = Module::load();
  std::array<char, kErrorSize> error{};
  hd_spm_model* handle = module.load_file(path.c_str(), error.data(), error.size());
  if (!handle) fail(path.string(), ": cannot load the SentencePiece model: ", message_of(error));
  return Model(module, handle, path.string());
}

Encoding Model::encode(std::string_view text) const {
  // A first guess that fits almost every text, so that one call usually suffices.
  std::vector<int32_t> ids(text.size() + 8);
  std::vector<uint32_t> ends(ids.size());
  std::string pieces(text.size() * 3 + 64, '\0');
  std::array<char, kErrorSize> error{};
  for (int attempt = 0; attempt < 2; ++attempt) {
    size_t num_ids = 0, pieces_size = 0;
    const int32_t rc = module_->encode(handle_.get(), text.data(), text.size(), ids.data(),
                                       ends.data(), ids.size(), &num_ids, pieces.data(),
                                       pieces.size(), &pieces_size, error.data(), error.size());
    if (rc < 0) fail(name_, ": SentencePiece encoding failed: ", message_of(error));
    if (rc == 0) {
      Encoding out;
      out.ids.assign(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(num_ids));
      out.pieces.reserve(num_ids);
      uint32_t begin = 0;
      for (size_t i = 0; i < num_ids; ++i) {
        out.pieces.push_back(pieces.substr(begin, ends[i] - begin));
        begin = ends[i];
      }
      return out;
    }
    ids.resize(num_ids);
    ends.resize(num_ids);
    pieces.resize(pieces_size);
  }
  fail(name_, ": SentencePiece encoding did not settle on a size");
}

int Model::vocab_size() const {
  return module_->vocab_size(handle_.get());
}

SpecialIds Model::special_ids() const {
  int32_t ids[4];
  module_->special_ids(handle_.get(), ids);
  return {ids[0], ids[1], ids[2], ids[3]};
}

std::string Model::model_type() const {
  return module_->model_type(handle_.get());
}

int32_t Model::piece_to_id(std::string_view piece) const {
  return module_->piece_to_id(handle_.get(), piece.data(), piece.size());
}

std::string Model::id_to_piece(int32_t id) const {
  std::string buf(32, '\0');
  int64_t n = module_->id_to_piece(handle_.get(), id, buf.data(), buf.size());
  if (n < 0) return {};
  if (static_cast<size_t>(n) > buf.size()) {
    buf.resize(static_cast<size_t>(n));
    n = module_->id_to_piece(handle_.get(), id, buf.data(), buf.size());
  }
  buf.resize(static_cast<size_t>(n));
  return buf;
}

}  // namespace hd::spm
