#include "highlight/mac_prediction.h"

#include <torch/torch.h>

#include "models/macs.h"
#include "sparse/sparse_unet.h"

namespace hd {

MacPrediction predict_macs(UNet2DConditionModel& unet, const SparseGeometry& geometry,
                           c10::IntArrayRef latent_shape, c10::IntArrayRef context_shape) {
  torch::NoGradGuard no_grad;
  auto opts = unet->conv_in->weight.options();
  torch::Tensor x = torch::zeros(latent_shape, opts);
  torch::Tensor ctx = torch::zeros(context_shape, opts);
  torch::Tensor t = torch::zeros({1}, opts.dtype(torch::kLong));
  SparseUNet scratch(unet);
  MacPrediction p;
  {
    MacScope scope(/*dry_run=*/true);
    scratch.forward_full(x, t, ctx);
    p.dense = static_cast<double>(scope.count().total());
  }
  {
    MacScope scope(/*dry_run=*/true);
    scratch.forward_partial(x, t, ctx, geometry);
    p.partial = static_cast<double>(scope.count().total());
  }
  return p;
}

MacPrediction predict_macs(SparseUNet& sparse, const SparseGeometry& geometry,
                           const torch::Tensor& sample, const torch::Tensor& timestep,
                           const torch::Tensor& context, double dense) {
  torch::NoGradGuard no_grad;
  MacPrediction p;
  p.dense = dense;
  MacScope scope(/*dry_run=*/true);
  sparse.forward_partial(sample, timestep, context, geometry);
  p.partial = static_cast<double>(scope.count().total());
  return p;
}

}  // namespace hd
