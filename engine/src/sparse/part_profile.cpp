#include "sparse/part_profile.h"

#include <torch/cuda.h>

#include "models/macs.h"

namespace hd {
namespace {
thread_local PartProfile* g_profile = nullptr;
}  // namespace

PartProfile::PartProfile(bool synchronize_cuda) : sync_(synchronize_cuda), outer_(g_profile) {
  g_profile = this;
}

PartProfile::~PartProfile() {
  g_profile = outer_;
}

void PartProfile::begin(const std::string& name) {
  if (sync_) torch::cuda::synchronize();
  size_t i = 0;
  while (i < parts_.size() && parts_[i].name != name) ++i;
  if (i == parts_.size()) parts_.push_back({name, 0, 0, 0});
  open_.push_back({i, std::chrono::steady_clock::now(), current_mac_count().total()});
}

void PartProfile::end() {
  if (sync_) torch::cuda::synchronize();
  const Open o = open_.back();
  open_.pop_back();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - o.start).count();
  const int64_t macs = current_mac_count().total() - o.macs_at_start;
  PartCost& p = parts_[o.part];
  p.ms += ms - o.child_ms;
  p.macs += macs - o.child_macs;
  ++p.calls;
  if (!open_.empty()) {
    open_.back().child_ms += ms;
    open_.back().child_macs += macs;
  }
}

PartTimer::PartTimer(const char* kind, int level) : profile_(g_profile) {
  if (!profile_) return;
  std::string name;
  if (level >= 0) name.append("L").append(std::to_string(level)).append(" ");
  profile_->begin(name.append(kind));
}

PartTimer::~PartTimer() {
  if (profile_) profile_->end();
}

}  // namespace hd
