#include "hd/kernels/cpu_features.h"

#include "cpu_common.h"

namespace hd::kernels {

bool cpu_has_amx_bf16() {
  return cpu::amx_bf16_available();
}

}  // namespace hd::kernels
