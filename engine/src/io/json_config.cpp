#include "io/json_config.h"

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

namespace hd {
namespace {

using nlohmann::json;

// A JSON value shortened for an error message.
std::string brief(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

}  // namespace

JsonConfig::JsonConfig(json j, std::string origin)
    : json_(std::move(j)), origin_(std::move(origin)) {}

JsonConfig JsonConfig::load(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) fail(file, ": file not found");
  if (std::filesystem::is_directory(status)) fail(file, ": is a directory, not a JSON file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(file, ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(file, ": read error");
  const std::string text = ss.str();
  json parsed;
  try {
    parsed = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(file, ": invalid JSON at byte ", e.byte, ": ", e.what());
  }
  return from_json(std::move(parsed), file);
}

JsonConfig JsonConfig::from_json(json j, std::string origin) {
  if (!j.is_object()) {
    fail(origin, ": expected a JSON object at the top level, got ", j.type_name(), " ", brief(j));
  }
  return JsonConfig(std::move(j), std::move(origin));
}

const json* JsonConfig::value(const std::string& key) const {
  const auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) return nullptr;
  return &*it;
}

void JsonConfig::type_error(const std::string& key, const char* expected, const json& got) const {
  fail(origin_, ": key '", key, "' must be ", expected, ", got ", brief(got));
}

int JsonConfig::to_int(const std::string& key, const json& v, const char* expected) const {
  if (!v.is_number_integer()) type_error(key, expected, v);
  bool ok = false;
  int64_t i = 0;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    ok = u <= static_cast<uint64_t>(std::numeric_limits<int>::max());
    i = static_cast<int64_t>(ok ? u : 0);
  } else {
    i = v.get<int64_t>();
    ok = i >= std::numeric_limits<int>::min() && i <= std::numeric_limits<int>::max();
  }
  if (!ok) fail(origin_, ": key '", key, "' value ", brief(v), " is out of range for an int");
  return static_cast<int>(i);
}

int JsonConfig::get_int(const std::string& key, int def) const {
  const json* v = value(key);
  return v ? to_int(key, *v, "an integer") : def;
}

int JsonConfig::require_int(const std::string& key) const {
  const json* v = value(key);
  if (!v) fail(origin_, ": missing required integer key '", key, "'");
  return to_int(key, *v, "an integer");
}

double JsonConfig::get_double(const std::string& key, double def) const {
  const json* v = value(key);
  if (!v) return def;
  if (!v->is_number()) type_error(key, "a number", *v);
  return v->get<double>();
}

bool JsonConfig::get_bool(const std::string& key, bool def) const {
  const json* v = value(key);
  if (!v) return def;
  if (!v->is_boolean()) type_error(key, "true or false", *v);
  return v->get<bool>();
}

std::string JsonConfig::get_string(const std::string& key, std::string def) const {
  const json* v = value(key);
  if (!v) return def;
  if (!v->is_string()) type_error(key, "a string", *v);
  return v->get<std::string>();
}

std::vector<int> JsonConfig::get_int_list(const std::string& key, std::vector<int> def) const {
  const json* v = value(key);
  if (!v) return def;
  constexpr const char* kExpected = "a list of integers";
  if (!v->is_array()) type_error(key, kExpected, *v);
  std::vector<int> out;
  out.reserve(v->size());
  for (const json& e : *v) {
    if (!e.is_number_integer()) type_error(key, kExpected, *v);
    out.push_back(to_int(key, e, kExpected));
  }
  return out;
}

std::vector<double> JsonConfig::get_double_list(const std::string& key, std::vector<double> def) const {
  const json* v = value(key);
  if (!v) return def;
  constexpr const char* kExpected = "a list of numbers";
  if (!v->is_array()) type_error(key, kExpected, *v);
  std::vector<double> out;
  out.reserve(v->size());
  for (const json& e : *v) {
    if (!e.is_number()) type_error(key, kExpected, *v);
    out.push_back(e.get<double>());
  }
  return out;
}

std::vector<std::string> JsonConfig::get_string_list(const std::string& key,
                                                     std::vector<std::string> def) const {
  const json* v = value(key);
  if (!v) return def;
  constexpr const char* kExpected = "a list of strings";
  if (!v->is_array()) type_error(key, kExpected, *v);
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const json& e : *v) {
    if (!e.is_string()) type_error(key, kExpected, *v);
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<int> JsonConfig::get_int_or_list(const std::string& key, size_t n,
                                             std::vector<int> def) const {
  const json* v = value(key);
  if (!v) return def;
  const std::string expected = str("an integer or a list of ", n, " integers");
  if (v->is_number_integer()) return std::vector<int>(n, to_int(key, *v, expected.c_str()));
  if (!v->is_array()) type_error(key, expected.c_str(), *v);
  if (v->size() != n) {
    fail(origin_, ": key '", key, "' must be ", expected, ", got a list of ", v->size(), ": ",
         brief(*v));
  }
  std::vector<int> out;
  out.reserve(n);
  for (const json& e : *v) {
    if (!e.is_number_integer()) type_error(key, expected.c_str(), *v);
    out.push_back(to_int(key, e, expected.c_str()));
  }
  return out;
}

bool JsonConfig::has(const std::string& key) const {
  return value(key) != nullptr;
}

bool JsonConfig::is_null(const std::string& key) const {
  const auto it = json_.find(key);
  return it != json_.end() && it->is_null();
}

}  // namespace hd
