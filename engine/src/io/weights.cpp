#include "io/weights.h"

#include <torch/torch.h>

#include "common/error.h"
#include "io/json_config.h"

namespace hd {
namespace fs = std::filesystem;

std::string shape_str(c10::IntArrayRef shape) { return shape_str(shape.vec()); }

void WeightSource::add_file(std::shared_ptr<const SafetensorsFile> file, const std::string& prefix) {
  origins_.push_back(file->path().string());
  for (const TensorView& view : file->tensors()) {
    if (view.name.compare(0, prefix.size(), prefix) != 0) continue;
    entries_[view.name.substr(prefix.size())] = Entry{&view, file, false};
  }
}

void WeightSource::add(const std::string& key, const Entry& entry) {
  entries_[key] = entry;
  const std::string origin = entry.file->path().string();
  if (std::find(origins_.begin(), origins_.end(), origin) == origins_.end()) origins_.push_back(origin);
}

WeightSource WeightSource::with_prefix(const std::string& prefix) const {
  WeightSource out;
  out.origins_ = origins_;
  for (const auto& [key, entry] : entries_) out.entries_[prefix + key] = entry;
  return out;
}

bool WeightSource::any_key_starts_with(const std::string& prefix) const {
  auto it = entries_.lower_bound(prefix);
  return it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

const WeightSource::Entry* WeightSource::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::string WeightSource::describe() const {
  std::string out;
  for (const auto& o : origins_) out += (out.empty() ? "" : ", ") + o;
  return out.empty() ? "(no files)" : out;
}

WeightSource open_component_weights(const fs::path& dir, const std::string& stem) {
  WeightSource source;
  const fs::path single = dir / (stem + ".safetensors");
  const fs::path index = dir / (stem + ".safetensors.index.json");
  const fs::path fp16 = dir / (stem + ".fp16.safetensors");
  if (fs::exists(single)) {
    source.add_file(std::make_shared<SafetensorsFile>(SafetensorsFile::open(single)));
  } else if (fs::exists(index)) {
    JsonConfig idx = JsonConfig::load(index);
    if (!idx.raw().contains("weight_map") || !idx.raw().at("weight_map").is_object()) {
      fail(index.string(), ": key 'weight_map' is missing or not an object");
    }
    std::map<std::string, std::shared_ptr<const SafetensorsFile>> shards;
    for (const auto& [key, value] : idx.raw().at("weight_map").items()) {
      if (!value.is_string()) fail(index.string(), ": weight_map entry '", key, "' is not a file name");
      const std::string name = value.get<std::string>();
      auto& shard = shards[name];
      if (!shard) shard = std::make_shared<SafetensorsFile>(SafetensorsFile::open(dir / name));
      const TensorView* view = shard->find(key);
      if (!view) fail((dir / name).string(), ": tensor '", key, "' listed in ", index.string(), " is missing");
      source.add(key, WeightSource::Entry{view, shard, false});
    }
  } else if (fs::exists(fp16)) {
    source.add_file(std::make_shared<SafetensorsFile>(SafetensorsFile::open(fp16)));
  } else {
    const fs::path bin = dir / (stem == "model" ? "pytorch_model.bin" : stem + ".bin");
    if (fs::exists(bin)) {
      fail(bin.string(), ": pickled PyTorch weights are not supported (they can run code when "
           "loaded); convert them to ", single.filename().string(),
           " with safetensors.torch.save_file");
    }
    fail(dir.string(), ": no weights found (expected ", single.filename().string(), ", ",
         index.filename().string(), " or ", fp16.filename().string(), ")");
  }
  return source;
}

namespace {

torch::Dtype torch_dtype(DType d, const std::string& where) {
  switch (d) {
    case DType::kF32: return torch::kFloat32;
    case DType::kF16: return torch::kFloat16;
    case DType::kBF16: return torch::kBFloat16;
    case DType::kF64: return torch::kFloat64;
    case DType::kI64: return torch::kInt64;
    case DType::kI32: return torch::kInt32;
    default: fail(where, " has dtype ", dtype_name(d), ", which cannot hold model weights");
  }
}

}  // namespace

LoadReport load_weights(torch::nn::Module& module, const WeightSource& source,
                        const std::string& component,
                        const std::set<std::string>& ignore_unexpected) {
  torch::NoGradGuard no_grad;
  LoadReport report;
  std::set<std::string> used;
  std::vector<std::string> missing, mismatched;
  std::set<DType> dtypes;

  auto targets = module.named_parameters(/*recurse=*/true);
  for (const auto& b : module.named_buffers(/*recurse=*/true)) targets.insert(b.key(), b.value());

  for (const auto& item : targets) {
    const std::string& key = item.key();
    torch::Tensor target = item.value();
    const WeightSource::Entry* entry = source.find(key);
    if (!entry) {
      missing.push_back(key);
      continue;
    }
    used.insert(key);
    const TensorView& view = *entry->view;
    const std::string where = str(entry->file->path().string(), ": key ", view.name);
    std::vector<int64_t> shape = view.shape;
    if (shape != target.sizes().vec()) {
      const bool squeezable = entry->squeeze_to_target && view.numel() == target.numel();
      if (!squeezable) {
        mismatched.push_back(str(view.name, " has shape ", shape_str(shape), " in the file, expected ",
                                 shape_str(target.sizes())));
        continue;
      }
    }
    torch::Tensor src = torch::from_blob(const_cast<std::byte*>(view.data), shape,
                                         torch::TensorOptions().dtype(torch_dtype(view.dtype, where)));
    target.copy_(src.reshape(target.sizes()));
    dtypes.insert(view.dtype);
    ++report.tensors;
    report.parameters += target.numel();
  }

  std::vector<std::string> unexpected;
  for (const auto& [key, entry] : source.entries()) {
    if (!used.count(key) && !ignore_unexpected.count(key)) unexpected.push_back(key);
  }
  auto list = [](const std::vector<std::string>& keys, const char* sep = ", ") {
    std::string out;
    for (size_t i = 0; i < keys.size() && i < 8; ++i) out += (i ? sep : "") + keys[i];
    if (keys.size() > 8) out += str(", ... (", keys.size(), " in all)");
    return out;
  };
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string msg = str(component, ": ", source.describe(), " does not match the model config:");
    if (!missing.empty()) msg += "\n  missing key(s): " + list(missing);
    if (!unexpected.empty()) msg += "\n  unexpected key(s): " + list(unexpected);
    if (!mismatched.empty()) msg += "\n  key " + list(mismatched, "\n  key ");
    throw Error(msg);
  }
  if (dtypes.size() == 1) {
    report.dtype = dtype_name(*dtypes.begin());
  } else {
    report.dtype = dtypes.empty() ? "none" : "mixed";
  }
  return report;
}

}  // namespace hd
