#include "pixel_ops.h"

#include <immintrin.h>

namespace hd::kernels::cpu {
namespace {

#define HD_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

// exp(x) as cpu/gather_scatter.cpp's fast_exp computes it: 2^floor(x log2 e) into the
// exponent bits, 2^fraction through the same degree-6 polynomial.
HD_AVX512 inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
  const __m512 t = _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f));
  const __m512 fl = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(t, fl);  // [0, 1)
  __m512 p = _mm512_set1_ps(1.535336188319500e-4f);
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.339887440266574e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.618437357674640e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550332471162809e-2f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.402264791363012e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931472028550421e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
  const __m512i e =
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(fl), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

HD_AVX512 inline __m512 silu_ps(__m512 v) {
  return _mm512_div_ps(
      v, _mm512_add_ps(_mm512_set1_ps(1.0f), exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), v))));
}

// Loads and stores of up to 16 channels (mask m) as float32 lanes.
HD_AVX512 inline __m512 load16(const BFloat16* p, __mmask16 m) {
  const __m256i bits = _mm256_maskz_loadu_epi16(m, p);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
}
// Round to nearest even on the top half; NaN keeps its top half with the quiet bit set.
HD_AVX512 inline void store16(BFloat16* p, __m512 v, __mmask16 m) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r =
      _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), odd), 16);
  const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  r = _mm512_mask_mov_epi32(r, nan,
                            _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x40)));
  _mm256_mask_storeu_epi16(p, m, _mm512_cvtepi32_epi16(r));
}

HD_AVX512 inline __mmask16 lanes(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1);
}

}  // namespace

HD_AVX512 void pixel_affine_silu_avx512(const BFloat16* src, BFloat16* dst, int64_t n,
                                        const float* a, const float* s, bool act) {
  for (int64_t c = 0; c < n; c += 16) {
    const __mmask16 m = lanes(n - c);
    __m512 v = load16(src + c, m);
    if (a) v = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m, a + c), _mm512_maskz_loadu_ps(m, s + c));
    if (act) v = silu_ps(v);
    store16(dst + c, v, m);
  }
}

HD_AVX512 void pixel_store_avx512(const BFloat16* src, const BFloat16* res, BFloat16* dst,
                                  int64_t n, float scale) {
  const __m512 k = _mm512_set1_ps(scale);
  for (int64_t c = 0; c < n; c += 16) {
    const __mmask16 m = lanes(n - c);
    __m512 v = load16(src + c, m);
    if (res) v = _mm512_add_ps(v, load16(res + c, m));
    store16(dst + c, _mm512_mul_ps(v, k), m);
  }
}

}  // namespace hd::kernels::cpu
