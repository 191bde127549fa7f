// What one UNet pass spends its time on, operator by operator, for benchmarks: torch's
// Kineto profiler records every ATen operator (and on CUDA every kernel) while a function
// runs. The part profile (part_profile.h) says which part of the UNet costs the time; this
// says what it is: GEMMs, copies, or per-operator overhead that does not shrink with the
// mask. On CUDA, kernel time against wall time shows whether a step waits on the host
// (launch bound) rather than on the GPU.
#pragma once

#include <functional>
#include <string>

#include "hd/engine.h"  // OpTrace

namespace hd {

// Runs `f` once under the profiler (CPU operators, and CUDA kernels when `cuda`) and
// summarises the trace; writes it as a Chrome trace (chrome://tracing, Perfetto) to
// `chrome_trace_path` unless empty. Fails if a profiler is already running.
OpTrace trace_ops(const std::function<void()>& f, bool cuda,
                  const std::string& chrome_trace_path = {});

}  // namespace hd
