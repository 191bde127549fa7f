#include "side_by_side.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "commands.h"

namespace hd::cli {

std::vector<OptionSpec> side_by_side_options() {
  std::vector<OptionSpec> specs = {
      {"model", true, false, "model (default: the embedded model)", "PATH"},
      {"steps", true, false, "denoising steps (default 50)", "N"},
      scheduler_option(),
      {"guidance", true, false, "guidance scale (default 7.5)", "G"},
      {"seed", true, false, "seed of prompt 0; prompt i uses seed + i (default 0)", "S"},
      {"limit", true, false, "use the first N prompts", "N"},
      {"interval", true, false, "highlight interval (default 5)", "N"},
      {"threshold", true, false, "highlight threshold (default 150)", "T"},
      {"map-factors", true, false,
       "highlight maps from layers at latent/F only, e.g. 2,4 (default: all)", "F,F"},
      {"threads", true, false, "CPU threads (default: all cores)", "N"},
      {"device", true, false, "cpu or cuda", "DEV"},
      precision_option()};
  for (auto& o : cuda_graph_options()) specs.push_back(o);
  return specs;
}

std::unique_ptr<Engine> load_engine(const Args& args) {
  cuda_graphs_from(args);  // contradicting flags fail before a model loads
  auto engine = std::make_unique<Engine>(engine_options(args));
  if (Status st = engine->load(args.get_or("model", default_model_path())); !st.ok())
    throw std::runtime_error(st.message());
  return engine;
}

GenerateRequest side_by_side_request(const Args& args, const std::string& prompt, size_t index) {
  GenerateRequest req;
  req.prompt = prompt;
  req.steps = args.get_int("steps", 50);
  req.scheduler = scheduler_from(args);
  req.guidance_scale = static_cast<float>(args.get_double("guidance", 7.5));
  req.seed = args.get_int64("seed", 0) + static_cast<int64_t>(index);
  req.highlight.interval = args.get_int("interval", 5);
  req.highlight.threshold = args.get_int("threshold", 150);
  req.highlight.map_factors = args.get_int_list("map-factors");
  req.highlight.cuda_graphs = cuda_graphs_from(args);
  return req;
}

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
  if (!(st = engine.generate(req, &r.dense)).ok())
    throw std::runtime_error(req.prompt + ": " + st.message());
  req.highlight.enabled = true;
  if (!(st = engine.generate(req, &r.highlight)).ok())
    throw std::runtime_error(req.prompt + ": " + st.message());
  const GenerateResult& h = r.highlight;
  std::vector<double> full, partial;
  for (size_t s = 0; s < h.step_ms.size(); ++s)
    (h.modes[s] == StepMode::kFull ? full : partial).push_back(h.step_ms[s]);
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
