// The noise prediction of each step under Highlight Diffusion: full steps through the sparse
// UNet's dense pass (refreshing caches), the collection step also capturing cross-attention
// maps and building the mask, partial steps over the mask's active tiles.
#pragma once

#include <memory>

#include <torch/types.h>

#include "hd/engine.h"
#include "highlight/step_plan.h"
#include "pipeline/sd_components.h"
#include "sparse/partial_graph.h"
#include "sparse/sparse_unet.h"

namespace hd {

class HighlightDenoiser {
 public:
  // tokens: the conditional prompt's tokenization; cfg: batch is [uncond, cond].
  HighlightDenoiser(SDComponents& sd, const HighlightOptions& options, int steps,
                    const TokenizedText& tokens, bool cfg);

  // Noise prediction for `step` (batch as given); fills the event's mode, tiles, MACs and,
  // at capture steps, the attention report.
  torch::Tensor predict(const torch::Tensor& latents, int64_t timestep, const torch::Tensor& context,
                        int step, StepEvent& event);

  // The latent pixels a partial step computes anew (its active tiles at latent resolution):
  // [h, w] bool on the latents' device; undefined before the mask exists.
  const torch::Tensor& recomputed_region() const { return region_; }

  const StepPlan& plan() const { return plan_; }
  std::shared_ptr<const AttentionReport> report() const { return report_; }
  double macs() const { return macs_; }
  const PartialGraph& graph() const { return graph_; }
  double dense_macs_per_step() const { return dense_step_macs_; }

 private:
  SDComponents& sd_;
  HighlightOptions options_;
  StepPlan plan_;
  const TokenizedText& tokens_;
  bool cfg_;
  SparseUNet sparse_;
  SparseGeometry geometry_;
  torch::Tensor region_;
  PartialGraph graph_;
  std::shared_ptr<const AttentionReport> report_;
  double macs_ = 0, dense_step_macs_ = 0;
};

}  // namespace hd
