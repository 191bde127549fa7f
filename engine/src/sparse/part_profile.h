// Where the time of a UNet pass goes, for benchmarks: while a PartProfile is alive on a
// thread, every PartTimer scope on that thread adds its wall time and the MACs counted
// inside it (by the active MacScope, if any) to the part it names. A nested timer's cost
// belongs to the inner part only (exclusive times), so the parts add up to the pass.
// Without a profile a PartTimer does nothing but one thread-local check.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hd {

struct PartCost {
  std::string name;
  double ms = 0;
  int64_t macs = 0;
  int64_t calls = 0;
};

class PartProfile {
 public:
  // synchronize_cuda: wait for the GPU at every part boundary (CUDA work is asynchronous).
  explicit PartProfile(bool synchronize_cuda = false);
  ~PartProfile();
  PartProfile(const PartProfile&) = delete;
  PartProfile& operator=(const PartProfile&) = delete;

  // Parts in order of first appearance.
  const std::vector<PartCost>& parts() const { return parts_; }

 private:
  friend class PartTimer;
  struct Open {
    size_t part;
    std::chrono::steady_clock::time_point start;
    int64_t macs_at_start;
    double child_ms = 0;
    int64_t child_macs = 0;
  };
  void begin(const std::string& name);
  void end();

  bool sync_;
  std::vector<PartCost> parts_;
  std::vector<Open> open_;
  PartProfile* outer_;
};

class PartTimer {
 public:
  // The part "kind" (level < 0) or "L<level> kind"; the name is built only under a profile.
  explicit PartTimer(const char* kind, int level = -1);
  ~PartTimer();
  PartTimer(const PartTimer&) = delete;
  PartTimer& operator=(const PartTimer&) = delete;

 private:
  PartProfile* profile_;
};

}  // namespace hd
