// Partial steps as CUDA graphs. On a GPU a partial step is hundreds of small kernels (tile
// gathers, convolutions on tile batches, token matmuls) whose launch cost exceeds their work;
// a captured graph launches them all at once. A partial step's work depends only on the
// geometry and on the caches, which full steps refill in place (SparseUNet::cache_generation
// changes only when one is allocated anew), so one capture serves every partial step of a
// geometry, across full steps.
//
//   PartialGraph graph;
//   out = graph.run(sparse, sample, t, ctx, geometry);  // first run: eager (uploads tile lists)
//   out = graph.run(...);                                // capture + replay
//   sparse.forward_full(...);                            // caches refilled in place
//   out = graph.run(...);                                // replay with new sample/t
//   graph.invalidate(true);                              // new geometry: eager, capture again
//
// A new cache generation or new input shapes make the next run capture again. On CPU, in
// builds without CUDA, or when a capture fails, run() is forward_partial().
#pragma once

#include <memory>
#include <string>

#include "sparse/sparse_unet.h"

namespace hd {

class PartialGraph {
 public:
  PartialGraph();
  ~PartialGraph();
  PartialGraph(const PartialGraph&) = delete;
  PartialGraph& operator=(const PartialGraph&) = delete;

  // sparse.forward_partial(sample, timestep, context, geometry), replayed from a graph where
  // possible. timestep must be a tensor on the sample's device. Returns the UNet's output
  // cache (valid until the next step).
  torch::Tensor run(SparseUNet& sparse, const torch::Tensor& sample, const torch::Tensor& timestep,
                    const torch::Tensor& context, const SparseGeometry& geometry);
  // Drops the captured graph (the next run captures again). With geometry_changed (call it
  // when the geometry changes), the next run is an eager warm-up first.
  void invalidate(bool geometry_changed = false);

  int captures() const { return captures_; }
  int replays() const { return replays_; }
  // Why graphs are not used ("" while they are or may be).
  const std::string& disabled_reason() const { return disabled_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  int captures_ = 0, replays_ = 0;
  std::string disabled_;
};

}  // namespace hd
