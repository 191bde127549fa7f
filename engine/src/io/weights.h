// Named weights from safetensors files, and loading them into a module by name.
//
// A WeightSource maps state-dict keys to tensor views inside memory-mapped files, with
// renames applied (single-file checkpoints) and the file each key came from, so that every
// error can name the file, the key and both shapes.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <torch/nn/module.h>

#include "io/safetensors.h"

namespace hd {

class WeightSource {
 public:
  struct Entry {
    const TensorView* view = nullptr;
    std::shared_ptr<const SafetensorsFile> file;
    // Applied after reading: reshape to the module's shape when only trailing 1-dims differ
    // (LDM VAE attention stores 1x1 conv weights where diffusers has Linear weights).
    bool squeeze_to_target = false;
  };

  // Adds every tensor of `file` whose key starts with `prefix`, with the prefix removed.
  void add_file(std::shared_ptr<const SafetensorsFile> file, const std::string& prefix = "");
  // Adds one tensor under a new name.
  void add(const std::string& key, const Entry& entry);

  const std::map<std::string, Entry>& entries() const { return entries_; }
  const Entry* find(const std::string& key) const;
  // The same tensors with `prefix` put before every key.
  WeightSource with_prefix(const std::string& prefix) const;
  bool any_key_starts_with(const std::string& prefix) const;
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  std::string describe() const;  // the file(s) behind this source, for messages

 private:
  std::map<std::string, Entry> entries_;
  std::vector<std::string> origins_;
};

// Opens a component's weights: <dir>/<stem>.safetensors, or a sharded
// <stem>.safetensors.index.json, or the fp16 variant <stem>.fp16.safetensors.
WeightSource open_component_weights(const std::filesystem::path& dir, const std::string& stem);

struct LoadReport {
  int64_t tensors = 0;
  int64_t parameters = 0;
  std::string dtype;  // of the file(s): "F32", "F16", "BF16" or "mixed"
};

// Copies every parameter and buffer of `module` from `source` (converting dtype to the
// module's), checking names and shapes. Missing keys, unexpected keys (except those in
// `ignore_unexpected`) and shape mismatches are an hd::Error naming the component, the
// file, the key and both shapes.
LoadReport load_weights(torch::nn::Module& module, const WeightSource& source,
                        const std::string& component,
                        const std::set<std::string>& ignore_unexpected = {});

std::string shape_str(c10::IntArrayRef shape);  // [a,b,c]; the vector form is in safetensors.h

}  // namespace hd
