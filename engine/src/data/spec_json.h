// Scene specs as JSON (prompt files with known answers for evaluation).
#pragma once

#include <nlohmann/json.hpp>

#include "data/scene.h"

namespace hd::data {

// {"caption": ..., "objects": [{"kind", "colour", "size"}...], "background", "relation"}
nlohmann::json spec_to_json(const SceneSpec& spec, const std::string& caption);
// Throws hd::Error naming the missing or invalid key.
SceneSpec spec_from_json(const nlohmann::json& j);

}  // namespace hd::data
