// CUDA twins of cpu/gather_scatter.cpp (fp32) and cpu/gather_scatter_half.cpp (fp16): one
// thread per output element in a grid-stride loop, running the element code both share
// (common/gather_scatter_element.h). The tile lists (and the scatter-gather's tile_at grid)
// are device pointers.
#include <cuda_runtime.h>

#include "gather_scatter_element.h"

namespace hd::kernels {
namespace {

template <class P>
__global__ void gather_kernel(P p) {
  const int64_t total = element::count(p);
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(blockDim.x) * gridDim.x) {
    element::gather(p, idx);
  }
}

template <class P>
__global__ void scatter_kernel(P p) {
  const int64_t total = element::count(p);
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(blockDim.x) * gridDim.x) {
    element::scatter(p, idx);
  }
}

template <class P>
__global__ void scatter_gather_kernel(P p) {
  const int64_t total = element::count(p);
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(blockDim.x) * gridDim.x) {
    element::scatter_gather(p, idx);
  }
}

constexpr int kThreads = 256;

int blocks_for(int64_t total) {
  const int64_t b = (total + kThreads - 1) / kThreads;
  return static_cast<int>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

cudaStream_t as_stream(void* stream) {
  return static_cast<cudaStream_t>(stream);
}

}  // namespace

void gather_cuda(const GatherParams& p, void* stream) {
  gather_kernel<<<blocks_for(element::count(p)), kThreads, 0, as_stream(stream)>>>(p);
}
void scatter_cuda(const ScatterParams& p, void* stream) {
  scatter_kernel<<<blocks_for(element::count(p)), kThreads, 0, as_stream(stream)>>>(p);
}
void scatter_gather_cuda(const ScatterGatherParams& p, void* stream) {
  scatter_gather_kernel<<<blocks_for(element::count(p)), kThreads, 0, as_stream(stream)>>>(p);
}
void gather_cuda(const GatherParamsHalf& p, void* stream) {
  gather_kernel<<<blocks_for(element::count(p)), kThreads, 0, as_stream(stream)>>>(p);
}
void scatter_cuda(const ScatterParamsHalf& p, void* stream) {
  scatter_kernel<<<blocks_for(element::count(p)), kThreads, 0, as_stream(stream)>>>(p);
}
void scatter_gather_cuda(const ScatterGatherParamsHalf& p, void* stream) {
  scatter_gather_kernel<<<blocks_for(element::count(p)), kThreads, 0, as_stream(stream)>>>(p);
}

}  // namespace hd::kernels
