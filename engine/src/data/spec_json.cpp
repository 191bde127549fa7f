#include "data/spec_json.h"

#include "common/error.h"

namespace hd::data {

nlohmann::json spec_to_json(const SceneSpec& spec, const std::string& caption) {
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : spec.objects) objects.push_back({{"kind", o.kind}, {"colour", o.colour}, {"size", o.size}});
  return {{"caption", caption}, {"objects", objects}, {"background", spec.background}, {"relation", spec.relation}};
}

SceneSpec spec_from_json(const nlohmann::json& j) {
  auto text = [&](const nlohmann::json& obj, const char* key) {
    if (!obj.contains(key) || !obj.at(key).is_string()) fail("scene spec: key '", key, "' is missing or not a string");
    return obj.at(key).get<std::string>();
  };
  if (!j.contains("objects") || !j.at("objects").is_array()) fail("scene spec: key 'objects' is missing or not a list");
  SceneSpec s;
  for (const auto& o : j.at("objects")) s.objects.push_back({text(o, "kind"), text(o, "colour"), text(o, "size")});
  s.background = text(j, "background");
  s.relation = text(j, "relation");
  validate_spec(s);
  return s;
}

}  // namespace hd::data
