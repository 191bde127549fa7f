// check_scene of the public API: the scene checker of engine/src/data on an hd::Image.
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "common/error.h"
#include "common/guarded.h"
#include "data/scene_checker.h"
#include "data/spec_json.h"
#include "hd/evaluation.h"

namespace hd {

Status check_scene(const Image& image, const std::string& spec_json, SceneCheck* out) {
  return guarded([&] {
    if (image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3 ||
        image.rgb.empty()) {
      fail("check_scene: the image has no pixels");
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(spec_json);
    } catch (const nlohmann::json::exception& e) {
      fail("check_scene: the spec is not JSON: ", e.what());
    }
    const data::SceneSpec spec = data::spec_from_json(j);
    const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
    const data::CheckResult r = data::check_scene(rgb.clone(), spec);
    SceneCheck c;
    c.objects = static_cast<int>(r.objects.size());
    c.ok = r.ok;
    c.colour_ok = c.kind_ok = c.position_ok = true;
    for (const auto& o : r.objects) {
      c.colour_ok = c.colour_ok && o.colour_ok;
      c.kind_ok = c.kind_ok && o.kind_ok;
      c.position_ok = c.position_ok && o.position_ok;
    }
    *out = c;
  });
}

}  // namespace hd
