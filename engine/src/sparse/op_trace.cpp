#include "sparse/op_trace.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/cuda.h>

#include "common/error.h"

namespace hd {
namespace {

namespace prof = torch::autograd::profiler;
namespace impl = torch::profiler::impl;

// libkineto's activity types (kineto/ActivityType.h) that the summary reads.
constexpr uint8_t kCpuOp = 0, kGpuMemcpy = 3, kGpuMemset = 4, kKernel = 5;

struct Interval {
  uint64_t start, end;
  const prof::KinetoEvent* event;
};

std::vector<OpStat> sorted(const std::map<std::string, OpStat>& by_name) {
  std::vector<OpStat> v;
  for (const auto& [name, s] : by_name) v.push_back(s);
  std::sort(v.begin(), v.end(),
            [](const OpStat& a, const OpStat& b) { return a.self_ms > b.self_ms; });
  return v;
}

// Self time per operator name: an operator's duration minus the operators nested in it on
// the same thread (intervals that start and end inside it).
void summarise_operators(const std::vector<prof::KinetoEvent>& events, OpTrace* out) {
  std::map<uint64_t, std::vector<Interval>> by_thread;
  for (const auto& e : events) {
    if (e.activityType() != kCpuOp || e.deviceType() != c10::DeviceType::CPU) continue;
    by_thread[e.startThreadId()].push_back({e.startNs(), e.endNs(), &e});
  }
  std::map<std::string, OpStat> stats;
  for (auto& [thread, ops] : by_thread) {
    std::sort(ops.begin(), ops.end(), [](const Interval& a, const Interval& b) {
      return a.start != b.start ? a.start < b.start : a.end > b.end;  // parents before children
    });
    struct Open {
      const Interval* op;
      uint64_t children_ns = 0;
    };
    std::vector<Open> stack;
    auto close = [&](const Open& o) {
      OpStat& s = stats[o.op->event->name()];
      s.name = o.op->event->name();
      ++s.calls;
      const uint64_t ns = o.op->end - o.op->start;
      s.self_ms += static_cast<double>(ns - std::min(ns, o.children_ns)) / 1e6;
    };
    for (const Interval& op : ops) {
      while (!stack.empty() && op.start >= stack.back().op->end) {
        close(stack.back());
        stack.pop_back();
      }
      if (stack.empty()) {
        ++out->top_level_calls;
      } else {
        stack.back().children_ns += op.end - op.start;
      }
      stack.push_back({&op});
      ++out->operator_calls;
    }
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) close(*it);
  }
  out->operators = sorted(stats);
}

// Device kernels (and copies / fills) by name, and the union of their intervals.
void summarise_kernels(const std::vector<prof::KinetoEvent>& events, OpTrace* out) {
  std::map<std::string, OpStat> stats;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& e : events) {
    const uint8_t type = e.activityType();
    if (type != kKernel && type != kGpuMemcpy && type != kGpuMemset) continue;
    OpStat& s = stats[e.name()];
    s.name = e.name();
    ++s.calls;
    s.self_ms += static_cast<double>(e.durationNs()) / 1e6;
    if (type == kKernel) ++out->kernel_launches;
    spans.emplace_back(e.startNs(), e.endNs());
  }
  std::sort(spans.begin(), spans.end());
  uint64_t busy = 0, reach = 0;
  for (const auto& [start, end] : spans) {
    if (end <= reach) continue;
    busy += end - std::max(start, reach);
    reach = end;
  }
  out->kernel_busy_ms = static_cast<double>(busy) / 1e6;
  out->kernels = sorted(stats);
}

// Stops the profiler on every exit, so that a failing traced function leaves none running.
class ProfilerSession {
 public:
  explicit ProfilerSession(bool cuda) {
    if (impl::profilerEnabled()) fail("trace_ops: a profiler is already running");
    std::set<impl::ActivityType> activities = {impl::ActivityType::CPU};
    if (cuda) activities.insert(impl::ActivityType::CUDA);
    // Input shapes in the Chrome trace: a GEMM's M x K x N tells which layer it is.
    const impl::ProfilerConfig config(impl::ProfilerState::KINETO, /*report_input_shapes=*/true);
    prof::prepareProfiler(config, activities);
    prof::enableProfiler(config, activities);
    running_ = true;
  }
  std::unique_ptr<prof::ProfilerResult> stop() {
    running_ = false;
    return prof::disableProfiler();
  }
  ~ProfilerSession() {
    if (running_) prof::disableProfiler();
  }
  ProfilerSession(const ProfilerSession&) = delete;
  ProfilerSession& operator=(const ProfilerSession&) = delete;

 private:
  bool running_ = false;
};

}  // namespace

OpTrace trace_ops(const std::function<void()>& f, bool cuda, const std::string& chrome_trace_path) {
  if (cuda) torch::cuda::synchronize();
  ProfilerSession session(cuda);
  const auto t0 = std::chrono::steady_clock::now();
  f();
  if (cuda) torch::cuda::synchronize();
  OpTrace out;
  out.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::unique_ptr<prof::ProfilerResult> result = session.stop();
  summarise_operators(result->events(), &out);
  summarise_kernels(result->events(), &out);
  if (!chrome_trace_path.empty()) {  // atomically: a partial trace would not load
    const std::string tmp = chrome_trace_path + ".tmp";
    result->save(tmp);
    std::error_code ec;
    std::filesystem::rename(tmp, chrome_trace_path, ec);  // fails too if save() could not write
    if (ec) {
      std::filesystem::remove(tmp, ec);
      fail(chrome_trace_path, ": cannot write the trace");
    }
  }
  return out;
}

}  // namespace hd
