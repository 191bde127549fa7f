// fp16 twins of the CUDA kernels: half storage, float arithmetic, the CUDA kernels' element
// code (common/gather_scatter_element.h) run in a loop over the output elements. Correct
// rather than fast: the engine's CPU path is fp32 (cpu/gather_scatter.cpp); these are the
// references the fp16 CUDA kernels are tested against. Also the half conversions.
#include <bit>
#include <cmath>

#include "cpu_common.h"
#include "gather_scatter_element.h"
#include "hd/kernels/gather_scatter.h"

namespace hd::kernels {

float half_to_float(Half h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1fu, mant = h.bits & 0x3ffu;
  if (exp == 0) {  // zero or subnormal: mant * 2^-24
    const float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf, NaN
  return std::bit_cast<float>(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

Half float_to_half(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t mant = x & 0x7fffffu;
  const int32_t e = static_cast<int32_t>((x >> 23) & 0xffu);
  if (e == 255) return {static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u))};  // inf, NaN
  const int32_t exp = e - 127 + 15;
  if (exp >= 31) return {static_cast<uint16_t>(sign | 0x7c00u)};  // overflow: inf
  if (exp <= 0) {  // subnormal half (or zero): the full mantissa shifted right by 14 - exp
    if (exp < -10) return {sign};
    mant |= 0x800000u;
    const int shift = 14 - exp;
    uint32_t m = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (m & 1u))) ++m;
    return {static_cast<uint16_t>(sign | m)};
  }
  uint32_t h = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry rounds into the exponent
  return {static_cast<uint16_t>(h)};
}

namespace {

using cpu::run;

// Every output element of a kernel, in index order (chunks in parallel).
template <class P, class Fn>
void for_each_element(const P& p, const ParallelFor& parallel, Fn fn) {
  run(element::count(p), parallel, [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) fn(p, idx);
  });
}

}  // namespace

void gather_cpu(const GatherParamsHalf& p, const ParallelFor& parallel) {
  for_each_element(p, parallel, element::gather<Half>);
}

void scatter_cpu(const ScatterParamsHalf& p, const ParallelFor& parallel) {
  for_each_element(p, parallel, element::scatter<Half>);
}

void scatter_gather_cpu(const ScatterGatherParamsHalf& p, const ParallelFor& parallel) {
  for_each_element(p, parallel, element::scatter_gather<Half>);
}

}  // namespace hd::kernels
