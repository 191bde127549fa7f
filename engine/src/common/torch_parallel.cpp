#include "common/torch_parallel.h"

#include <mutex>
#include <set>
#include <thread>

#include <ATen/Parallel.h>

#ifndef _OPENMP
#error \
    "torch_parallel.cpp must be compiled with OpenMP (engine/CMakeLists.txt), or at::parallel_for runs serially"
#endif

namespace hd {

const kernels::ParallelFor& torch_parallel() {
  static const kernels::ParallelFor pf = [](int64_t n,
                                            const std::function<void(int64_t, int64_t)>& body) {
    at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) { body(b, e); });
  };
  return pf;
}

int torch_parallel_threads_used(int64_t n) {
  std::mutex m;
  std::set<std::thread::id> ids;
  torch_parallel()(n, [&](int64_t, int64_t) {
    std::lock_guard<std::mutex> lock(m);
    ids.insert(std::this_thread::get_id());
  });
  return static_cast<int>(ids.size());
}

}  // namespace hd
