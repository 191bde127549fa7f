// The engine's own parallel loops (hdkernels' CPU kernels) on libtorch's intra-op threads.
//
// at::parallel_for is a header template that forks through OpenMP pragmas: compiled without
// OpenMP it runs every loop on the calling thread, silently. This one translation unit is
// compiled with OpenMP and linked against the libgomp that libtorch loads (one runtime, one
// pool of threads, the size at::set_num_threads sets), so the kernels use every thread
// without a second pool competing with torch's for the cores.
#pragma once

#include "hd/kernels/gather_scatter.h"

namespace hd {

// Splits [0, n) over at::get_num_threads() threads (serially inside a parallel region).
const kernels::ParallelFor& torch_parallel();

// How many distinct threads torch_parallel() runs a loop of n chunks on (for tests).
int torch_parallel_threads_used(int64_t n);

}  // namespace hd
