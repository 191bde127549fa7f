// bfloat16 autocast on one device type for a scope's lifetime: matrix products and
// convolutions run in bfloat16, normalisations and reductions stay float32 (torch's autocast
// policy). Used by training (bf16 mixed precision) and by the VAE decoder when the engine
// runs in reduced precision on a CPU.
#pragma once

#include <ATen/autocast_mode.h>

namespace hd {

class AutocastScope {
 public:
  AutocastScope(bool enabled, at::DeviceType device) : enabled_(enabled), device_(device) {
    if (!enabled_) return;
    previous_dtype_ = at::autocast::get_autocast_dtype(device_);
    previous_enabled_ = at::autocast::is_autocast_enabled(device_);
    at::autocast::set_autocast_dtype(device_, at::kBFloat16);
    at::autocast::set_autocast_enabled(device_, true);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(device_, previous_enabled_);
    at::autocast::set_autocast_dtype(device_, previous_dtype_);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  at::DeviceType device_;
  at::ScalarType previous_dtype_ = at::kBFloat16;
  bool previous_enabled_ = false;
};

}  // namespace hd
