// What the CPU kernels share: element conversions of the storage types and the dispatch of a
// loop to the caller's ParallelFor. Internal to kernels/cpu.
#pragma once

#include <bit>
#include <cstdint>
#include <functional>

#include "hd/kernels/gather_scatter.h"  // BFloat16, ParallelFor

namespace hd::kernels::cpu {

// Storage conversions: identity for float32; bfloat16 is the top half of a float32, stored
// with round-to-nearest-even (NaN kept quiet). Branch-free, so the loops calling them vectorise.
inline float load(float v) {
  return v;
}
inline float load(BFloat16 v) {
  return std::bit_cast<float>(static_cast<uint32_t>(v.bits) << 16);
}
inline void store(float& dst, float v) {
  dst = v;
}
inline void store(BFloat16& dst, float v) {
  const uint32_t u = std::bit_cast<uint32_t>(v);
  const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  dst.bits = static_cast<uint16_t>(v != v ? ((u >> 16) | 0x40u) : rounded);
}

// Whether the CPU has AVX-512 with the subsets the kernels use (F, BW, DQ, VL; every AVX-512
// CPU since Skylake-SP has them) and FMA; and AVX512_BF16 as well. Checked once.
inline bool avx512_available() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("fma");
  }();
  return ok;
}
inline bool avx512_bf16_available() {
  static const bool ok = avx512_available() && __builtin_cpu_supports("avx512bf16");
  return ok;
}

// Whether the CPU has AMX-TILE and AMX-BF16 and the OS has enabled the tile state (XCR0 bits
// 17 and 18, XTILECFG and XTILEDATA). Checked once.
inline bool amx_bf16_available() {
  static const bool ok = [] {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("amx-tile") || !__builtin_cpu_supports("amx-bf16")) return false;
    uint32_t lo = 0, hi = 0;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    constexpr uint32_t kTileState = (1u << 17) | (1u << 18);
    return (lo & kTileState) == kTileState;
  }();
  return ok;
}

// body(begin, end) over [0, n): through `parallel` when there is one and more than one unit
// of work, else on the calling thread.
inline void run(int64_t n, const ParallelFor& parallel,
                const std::function<void(int64_t, int64_t)>& body) {
  if (parallel && n > 1) {
    parallel(n, body);
  } else {
    body(0, n);
  }
}

}  // namespace hd::kernels::cpu
