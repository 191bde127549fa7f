#include "hd/kernels/cpu_features.h"

#include "cpu_common.h"

namespace hd::kernels {

bool cpu_has_avx512() {
  return cpu::avx512_available();
}

bool cpu_has_avx512_bf16() {
  return cpu::avx512_bf16_available();
}

bool cpu_has_amx_bf16() {
  return cpu::amx_bf16_available();
}

}  // namespace hd::kernels
