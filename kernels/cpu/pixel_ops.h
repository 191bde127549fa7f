// The per-pixel loops of the channels-last bfloat16 gathers and scatters in AVX-512
// intrinsics: float32 arithmetic on 16 channels at a time, with the conversions of
// cpu_common.h (stores round to nearest even, NaN kept quiet) and the exp polynomial of the
// portable loops. GCC vectorises the portable bfloat16 loops in 256-bit halves with a long
// pack-and-blend sequence per store: SD v1.4's 5% partial step at 512 spent 7.5-7.7 ms in
// bfloat16 gathers and scatters against 4.2-4.8 in float32; with these, 4.7-4.9 ms (side by
// side, `hd bench masks --precision bf16`). The float32 loops stay portable: GCC's are as fast.
// Internal to kernels/cpu.
#pragma once

#include <cstdint>

#include "hd/kernels/gather_scatter.h"  // BFloat16

namespace hd::kernels::cpu {

// Both require cpu_common.h's avx512_available().

// dst[c] = silu?(src[c] * a[c] + s[c]) for c < n; without `a`, no affine; `act`: SiLU.
void pixel_affine_silu_avx512(const BFloat16* src, BFloat16* dst, int64_t n, const float* a,
                              const float* s, bool act);

// dst[c] = (src[c] + res[c]) * scale for c < n; without `res`, src[c] * scale.
void pixel_store_avx512(const BFloat16* src, const BFloat16* res, BFloat16* dst, int64_t n,
                        float scale);

}  // namespace hd::kernels::cpu
