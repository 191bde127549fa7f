// Typed, error-reporting access to a JSON configuration object (diffusers config.json,
// scheduler_config.json, ...). Every error names the origin (usually the file path) and
// the key, and shows the offending value.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"

namespace hd {

class JsonConfig {
 public:
  // Loads a JSON object from a file. Errors: "<path>: file not found", a parse error with
  // the path and the parser's byte position, or a top level that is not an object.
  static JsonConfig load(const std::filesystem::path& path);
  // Wraps an already parsed object; `origin` names it in error messages.
  static JsonConfig from_json(nlohmann::json j, std::string origin);

  // Getters for top-level keys. An absent key and a JSON null both mean "absent": the
  // get_* functions then return the default. A present value of the wrong type throws
  // hd::Error, e.g. "unet/config.json: key 'layers_per_block' must be an integer, got "two"".
  int get_int(const std::string& key, int def) const;
  int require_int(const std::string& key) const;                // throws when absent
  double get_double(const std::string& key, double def) const;  // accepts ints too
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key, std::string def) const;
  std::vector<int> get_int_list(const std::string& key, std::vector<int> def) const;
  std::vector<double> get_double_list(const std::string& key, std::vector<double> def) const;
  std::vector<std::string> get_string_list(const std::string& key,
                                           std::vector<std::string> def) const;
  // An int (broadcast to n entries) or a list of exactly n ints, as diffusers'
  // attention_head_dim. The default is returned unchanged when the key is absent.
  std::vector<int> get_int_or_list(const std::string& key, size_t n, std::vector<int> def) const;

  // True when the key is present and not null.
  bool has(const std::string& key) const;
  // True when the key is present with the value null.
  bool is_null(const std::string& key) const;

  const nlohmann::json& raw() const { return json_; }
  const std::string& origin() const { return origin_; }

 private:
  JsonConfig(nlohmann::json j, std::string origin);
  // The value at key, or nullptr when absent or null.
  const nlohmann::json* value(const std::string& key) const;
  [[noreturn]] void type_error(const std::string& key, const char* expected,
                               const nlohmann::json& got) const;
  int to_int(const std::string& key, const nlohmann::json& v, const char* expected) const;

  nlohmann::json json_;
  std::string origin_;
};

}  // namespace hd
