#include "side_by_side.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace hd::cli {

double mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

SideBySide run_side_by_side(Engine& engine, GenerateRequest req) {
  SideBySide r;
  Status st;
  req.highlight.enabled = false;
  if (!(st = engine.generate(req, &r.dense)).ok()) throw std::runtime_error(req.prompt + ": " + st.message());
  req.highlight.enabled = true;
  if (!(st = engine.generate(req, &r.highlight)).ok()) throw std::runtime_error(req.prompt + ": " + st.message());
  const GenerateResult& h = r.highlight;
  std::vector<double> full, partial;
  for (size_t s = 0; s < h.step_ms.size(); ++s) (h.modes[s] == StepMode::kFull ? full : partial).push_back(h.step_ms[s]);
  r.speedup = r.dense.total_ms / h.total_ms;
  r.mac_ratio = h.macs / r.dense.macs;
  r.full_step_ms = median(full);
  r.partial_step_ms = median(partial);
  r.dense_step_ms = median(r.dense.step_ms);
  r.psnr = image_psnr(r.dense.image, h.image);
  r.ssim = image_ssim(r.dense.image, h.image);
  if (h.attention) {
    r.mask_area = h.attention->mask.area;
    for (const auto& t : h.attention->tokens) {
      if (t.selected) r.token += (r.token.empty() ? "" : " ") + t.text;
    }
  }
  return r;
}

}  // namespace hd::cli
