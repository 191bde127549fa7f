#include "sparse/partial_graph.h"

#include <torch/torch.h>

#include "models/macs.h"

#ifdef HD_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace hd {

struct PartialGraph::State {
#ifdef HD_WITH_CUDA
  std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif
  bool warmed = false;  // an eager run with the current geometry has uploaded its tile lists
  torch::Tensor sample, timestep, context, out;  // the graph's static inputs and output
  MacCount macs;                                 // of one captured step (replays run no C++)
  int64_t generation = -1;                       // the UNet's cache generation it reads
};

PartialGraph::PartialGraph() : state_(std::make_unique<State>()) {}

PartialGraph::~PartialGraph() = default;

void PartialGraph::invalidate(bool geometry_changed) {
  if (geometry_changed) state_->warmed = false;
#ifdef HD_WITH_CUDA
  state_->graph.reset();
#endif
  state_->sample = state_->timestep = state_->context = state_->out = torch::Tensor();
}

torch::Tensor PartialGraph::run(SparseUNet& sparse, const torch::Tensor& sample,
                                const torch::Tensor& timestep, const torch::Tensor& context,
                                const SparseGeometry& geometry) {
#ifdef HD_WITH_CUDA
  State& s = *state_;
  if (!sample.is_cuda() || !disabled_.empty())
    return sparse.forward_partial(sample, timestep, context, geometry);
  if (s.graph && s.generation == sparse.cache_generation() && s.sample.sizes() == sample.sizes() &&
      s.context.sizes() == context.sizes() && s.timestep.sizes() == timestep.sizes()) {
    s.sample.copy_(sample);
    s.timestep.copy_(timestep);
    s.context.copy_(context);
    s.graph->replay();
    add_macs(s.macs);
    ++replays_;
    return s.out;
  }
  invalidate();
  if (!s.warmed) {
    // Eager warm-up: device copies of this geometry's tile lists are made (and cached) here,
    // outside the capture, where host-to-device copies are not allowed.
    s.warmed = true;
    return sparse.forward_partial(sample, timestep, context, geometry);
  }
  s.sample = sample.clone();
  s.timestep = timestep.clone();
  s.context = context.clone();
  try {
    torch::cuda::synchronize();
    auto graph = std::make_unique<at::cuda::CUDAGraph>();
    {
      c10::cuda::CUDAStreamGuard side(c10::cuda::getStreamFromPool(false, sample.device().index()));
      graph->capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      try {
        MacScope count;
        s.out = sparse.forward_partial(s.sample, s.timestep, s.context, geometry);
        s.macs = count.count();
      } catch (...) {
        try {
          graph->capture_end();
        } catch (...) {
        }
        throw;
      }
      graph->capture_end();
    }
    torch::cuda::synchronize();
    s.graph = std::move(graph);
    s.generation = sparse.cache_generation();
    ++captures_;
  } catch (const std::exception& e) {
    // Some operation could not be captured: stay eager for the rest of this generation.
    disabled_ = std::string("CUDA graph capture failed: ") + e.what();
    invalidate();
    torch::cuda::synchronize();
    return sparse.forward_partial(sample, timestep, context, geometry);
  }
  s.graph->replay();
  add_macs(s.macs);
  ++replays_;
  return s.out;
#else
  if (disabled_.empty()) disabled_ = "this build has no CUDA";
  return sparse.forward_partial(sample, timestep, context, geometry);
#endif
}

}  // namespace hd
