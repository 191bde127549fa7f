#include "pipeline/highlight_denoiser.h"

#include <torch/torch.h>

#include "common/error.h"
#include "highlight/attention_report.h"
#include "highlight/attention_store.h"
#include "highlight/mac_prediction.h"
#include "models/macs.h"

namespace hd {

HighlightDenoiser::HighlightDenoiser(SDComponents& sd, const HighlightOptions& options, int steps,
                                     const TokenizedText& tokens, bool cfg)
    : sd_(sd),
      options_(options),
      plan_(make_step_plan(steps, options)),
      tokens_(tokens),
      cfg_(cfg),
      sparse_(sd.unet) {
  if (options.threshold < 0 || options.threshold > 255) {
    fail("highlight threshold must be between 0 and 255, got ", options.threshold);
  }
  if (!(options.min_area >= 0.0f && options.min_area < 1.0f)) {
    fail("highlight minimum area must be in [0, 1), got ", options.min_area);
  }
  for (int f : options.map_factors) {
    if (f < 1 || f > 64 || (f & (f - 1)) != 0) {
      fail("highlight map factor must be a power of two from 1 to 64, got ", f);
    }
  }
}

torch::Tensor HighlightDenoiser::predict(const torch::Tensor& latents, int64_t timestep,
                                         const torch::Tensor& context, int step, StepEvent& e) {
  const auto device = latents.device();
  torch::Tensor ts = torch::tensor(timestep, torch::TensorOptions().dtype(torch::kLong).device(device));
  const StepMode mode = plan_.modes[step];
  e.mode = mode;
  torch::Tensor out;
  MacScope scope;
  if (mode == StepMode::kFull) {
    if (plan_.capture[step]) {
      auto store =
          std::make_shared<AttentionStore>(latents.size(2), latents.size(3), options_.map_factors);
      auto capture = std::make_shared<CapturingAttnProcessor>(store, cfg_ ? 1 : 0, latents.size(2), latents.size(3));
      std::vector<Attention> patched;
      for (auto& [name, attn] : sd_.unet->attention_layers()) {
        if (attn->is_cross_attention() && name.find("attn2") != std::string::npos) {
          attn->set_processor(capture);
          patched.push_back(attn);
        }
      }
      try {
        out = sparse_.forward_full(latents, ts, context);
      } catch (...) {
        for (auto& a : patched) a->set_processor(nullptr);
        throw;
      }
      for (auto& a : patched) a->set_processor(nullptr);
      graph_.invalidate(/*geometry_changed=*/true);
      auto report = std::make_shared<AttentionReport>(make_attention_report(store->maps(), tokens_, step));
      select_and_mask(*report, options_);
      geometry_ = make_sparse_geometry(report->mask.refined, sparse_.levels());
      const LevelGeometry& g0 = geometry_.levels.front();
      region_ = torch::zeros({g0.height * g0.width}, torch::dtype(torch::kBool).device(device));
      if (g0.active_pixels() > 0) region_.index_fill_(0, g0.token_index_on(device), true);
      region_ = region_.view({g0.height, g0.width});
      report->mask.grids = geometry_.grids();
      report->mask.mac_fraction = predict_macs(sparse_, geometry_, latents, ts, context,
                                               static_cast<double>(scope.count().total()))
                                      .fraction();
      report_ = report;
      e.attention = report;
    } else if (plan_.keeps_cache[step]) {
      // The caches are refilled in place: a captured graph of partial steps stays valid.
      out = sparse_.forward_full(latents, ts, context);
    } else {
      // No partial step reads this step's caches (warm-up, last step): the plain dense UNet.
      out = sd_.unet->forward(latents, ts, context);
    }
    dense_step_macs_ = static_cast<double>(scope.count().total());
  } else {
    out = options_.cuda_graphs ? graph_.run(sparse_, latents, ts, context, geometry_)
                               : sparse_.forward_partial(latents, ts, context, geometry_);
    e.active_tiles = static_cast<int>(geometry_.active_tiles());
  }
  e.total_tiles = static_cast<int>(geometry_.total_tiles());
  e.macs = static_cast<double>(scope.count().total());
  e.dense_macs = dense_step_macs_;
  macs_ += e.macs;
  return out;
}

}  // namespace hd
