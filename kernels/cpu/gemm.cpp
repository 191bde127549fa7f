#include "hd/kernels/gemm.h"

#include "cpu_common.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>
#include <vector>

namespace hd::kernels {
namespace {

constexpr int kRowsA = 4;  // rows of a per register block
constexpr int kRowsW = 6;  // rows of w (columns of c) per register block: 24 accumulators
// k per chunk, in bytes of a row: a chunk of 4 KiB per row keeps a's chunk in L2 and a panel
// of six w rows in L1 while every block of a's rows passes over it.
constexpr int64_t kChunkBytes = 4096;
constexpr int64_t kSerialMacs = int64_t{1} << 18;  // smaller products stay on the calling thread

// Only the functions marked so use AVX-512 instructions; the dispatch checks the CPU first.
#define HD_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define HD_AVX512_BF16 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx512bf16,fma")))

// [sum(a), sum(b), sum(c), sum(d)]: the lane sums of four vectors, in 9 shuffles and adds.
HD_AVX512 inline __m128 lane_sums4(__m512 a, __m512 b, __m512 c, __m512 d) {
  // Per 128-bit lane: [a0 + a2, b0 + b2, a1 + a3, b1 + b3], likewise for c and d.
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
  const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
  // Per 128-bit lane: partial sums [a, b, c, d].
  const __m512d abd = _mm512_castps_pd(ab), cdd = _mm512_castps_pd(cd);
  const __m512 abcd = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(abd, cdd)),
                                    _mm512_castpd_ps(_mm512_unpackhi_pd(abd, cdd)));
  const __m256 half =
      _mm256_add_ps(_mm512_castps512_ps256(abcd),
                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(abcd), 1)));
  return _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
}

// out[i][j] (+)= lane sum of acc[i][j] (+ bias[j] when not accumulating and bias is given).
template <int MR, int NR>
HD_AVX512 inline void finish(const __m512 (&acc)[MR][NR], float* out, int64_t ldo,
                             const float* bias, bool accumulate) {
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 2
    for (int j0 = 0; j0 < NR; j0 += 4) {
      const __m128 s =
          lane_sums4(acc[i][j0], j0 + 1 < NR ? acc[i][j0 + 1] : zero,
                     j0 + 2 < NR ? acc[i][j0 + 2] : zero, j0 + 3 < NR ? acc[i][j0 + 3] : zero);
      const __mmask8 m = static_cast<__mmask8>((1u << std::min(4, NR - j0)) - 1);
      float* o = out + i * ldo + j0;
      __m128 r = s;
      if (accumulate) {
        r = _mm_add_ps(r, _mm_maskz_loadu_ps(m, o));
      } else if (bias) {
        r = _mm_add_ps(r, _mm_maskz_loadu_ps(m, bias + j0));
      }
      _mm_mask_storeu_ps(o, m, r);
    }
  }
}

// One register block over kc elements of k. `pf`: a row of the next panel of w to prefetch
// along the way (one cache line per step), or null.
template <int MR, int NR>
HD_AVX512 void block_f32(const float* a, int64_t lda, const float* w, int64_t ldw, int64_t kc,
                         float* out, int64_t ldo, const float* bias, bool accumulate,
                         const float* pf) {
  __m512 acc[MR][NR];
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  int64_t k = 0;
  for (; k + 16 <= kc; k += 16) {
    if (pf) _mm_prefetch(reinterpret_cast<const char*>(pf + k), _MM_HINT_T0);
    __m512 b[NR];
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) b[j] = _mm512_loadu_ps(w + j * ldw + k);
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
      const __m512 x = _mm512_loadu_ps(a + i * lda + k);
#pragma GCC unroll 6
      for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_fmadd_ps(x, b[j], acc[i][j]);
    }
  }
  if (k < kc) {  // masked loads read zeros past the end
    const __mmask16 m = static_cast<__mmask16>((1u << (kc - k)) - 1);
    __m512 b[NR];
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) b[j] = _mm512_maskz_loadu_ps(m, w + j * ldw + k);
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
      const __m512 x = _mm512_maskz_loadu_ps(m, a + i * lda + k);
#pragma GCC unroll 6
      for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_fmadd_ps(x, b[j], acc[i][j]);
    }
  }
  finish<MR, NR>(acc, out, ldo, bias, accumulate);
}

// The same over bfloat16 pairs: each step multiplies 32 elements of k per vector.
template <int MR, int NR>
HD_AVX512_BF16 void block_bf16(const uint16_t* a, int64_t lda, const uint16_t* w, int64_t ldw,
                               int64_t kc, float* out, int64_t ldo, const float* bias,
                               bool accumulate, const uint16_t* pf) {
  __m512 acc[MR][NR];
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  int64_t k = 0;
  for (; k + 32 <= kc; k += 32) {
    if (pf) _mm_prefetch(reinterpret_cast<const char*>(pf + k), _MM_HINT_T0);
    __m512bh b[NR];
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) b[j] = (__m512bh)_mm512_loadu_si512(w + j * ldw + k);
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
      const __m512bh x = (__m512bh)_mm512_loadu_si512(a + i * lda + k);
#pragma GCC unroll 6
      for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], x, b[j]);
    }
  }
  if (k < kc) {
    const __mmask32 m = static_cast<__mmask32>((uint64_t{1} << (kc - k)) - 1);
    __m512bh b[NR];
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) b[j] = (__m512bh)_mm512_maskz_loadu_epi16(m, w + j * ldw + k);
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
      const __m512bh x = (__m512bh)_mm512_maskz_loadu_epi16(m, a + i * lda + k);
#pragma GCC unroll 6
      for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], x, b[j]);
    }
  }
  finish<MR, NR>(acc, out, ldo, bias, accumulate);
}

// The register blocks of every shape up to kRowsA x kRowsW (the edges of a and w).
template <class T>
using Block = void (*)(const T*, int64_t, const T*, int64_t, int64_t, float*, int64_t, const float*,
                       bool, const T*);
template <class T, int MR, int NR>
constexpr Block<T> block() {
  if constexpr (std::is_same_v<T, float>) {
    return &block_f32<MR, NR>;
  } else {
    return &block_bf16<MR, NR>;
  }
}
template <class T, int MR, int... NR>
constexpr std::array<Block<T>, kRowsW> block_row(std::integer_sequence<int, NR...>) {
  return {block<T, MR, NR + 1>()...};
}
template <class T, int... MR>
constexpr std::array<std::array<Block<T>, kRowsW>, kRowsA> block_table(
    std::integer_sequence<int, MR...>) {
  return {block_row<T, MR + 1>(std::make_integer_sequence<int, kRowsW>())...};
}
template <class T>
constexpr auto kBlocks = block_table<T>(std::make_integer_sequence<int, kRowsA>());

// c = a w^T + bias with T = float or uint16_t (bfloat16 bits). The columns of c are split in
// panels of kRowsW; each thread takes a range of panels, and for each chunk of k passes every
// block of a's rows over each panel while the next panel is prefetched.
template <class T>
void gemm(const GemmParams& p, const ParallelFor& parallel) {
  const auto* a = static_cast<const T*>(p.a);
  const auto* w = static_cast<const T*>(p.w);
  constexpr bool kFloat = std::is_same_v<T, float>;
  constexpr int64_t step = kFloat ? 16 : 32;
  const int64_t chunk = kChunkBytes / static_cast<int64_t>(sizeof(T));
  const int64_t chunks = std::max<int64_t>(1, (p.k + chunk - 1) / chunk);
  const int64_t kc = ((p.k + chunks - 1) / chunks + step - 1) / step * step;
  const int64_t panels = (p.n + kRowsW - 1) / kRowsW;
  const int64_t row_blocks = (p.m + kRowsA - 1) / kRowsA;
  // float32 c takes the bias in the first chunk; bfloat16 c when its float32 sums are rounded.
  const auto* bias32 = kFloat ? static_cast<const float*>(p.bias) : nullptr;
  auto body = [&](int64_t p0, int64_t p1) {
    const int64_t col0 = p0 * kRowsW, cols = std::min(p.n, p1 * kRowsW) - col0;
    // float32: c itself; bfloat16: float32 sums, rounded into c at the end.
    std::vector<float> sums;
    float* out = nullptr;
    int64_t ldo = 0;
    if constexpr (kFloat) {
      out = static_cast<float*>(p.c) + col0, ldo = p.ldc;
    } else {
      sums.resize(static_cast<size_t>(p.m * cols));
      out = sums.data(), ldo = cols;
    }
    for (int64_t k0 = 0; k0 < p.k; k0 += kc) {
      const int64_t kl = std::min(kc, p.k - k0);
      for (int64_t panel = p0; panel < p1; ++panel) {
        const int64_t n0 = panel * kRowsW, nr = std::min<int64_t>(kRowsW, p.n - n0);
        const int64_t next = panel + 1 < p1 ? std::min<int64_t>(kRowsW, p.n - n0 - kRowsW) : 0;
        const T* wp = w + n0 * p.ldw + k0;
        const float* bias = bias32 && k0 == 0 ? bias32 + n0 : nullptr;
        for (int64_t rb = 0; rb < row_blocks; ++rb) {
          const int64_t m0 = rb * kRowsA, mr = std::min<int64_t>(kRowsA, p.m - m0);
          // Row rb of the next panel streams into L1 while this block computes; with fewer
          // blocks than rows, the first block also fetches the rest.
          const T* pf = rb < next ? wp + (kRowsW + rb) * p.ldw : nullptr;
          if (rb == 0) {
            for (int64_t r = row_blocks; r < next; ++r) {
              for (int64_t k = 0; k < kl; k += step) {
                _mm_prefetch(reinterpret_cast<const char*>(wp + (kRowsW + r) * p.ldw + k),
                             _MM_HINT_T0);
              }
            }
          }
          kBlocks<T>[mr - 1][nr - 1](a + m0 * p.lda + k0, p.lda, wp, p.ldw, kl,
                                     out + m0 * ldo + (n0 - col0), ldo, bias, k0 > 0, pf);
        }
      }
    }
    if constexpr (!kFloat) {
      const auto* bias = static_cast<const BFloat16*>(p.bias);
      auto* c = static_cast<BFloat16*>(p.c);
      for (int64_t i = 0; i < p.m; ++i) {
        const float* s = out + i * ldo;
        BFloat16* ci = c + i * p.ldc + col0;
        if (bias) {
          for (int64_t j = 0; j < cols; ++j) cpu::store(ci[j], s[j] + cpu::load(bias[col0 + j]));
        } else {
          for (int64_t j = 0; j < cols; ++j) cpu::store(ci[j], s[j]);
        }
      }
    }
  };
  const bool small = p.m * p.n * p.k < kSerialMacs;
  cpu::run(panels, small ? ParallelFor() : parallel, body);
}

}  // namespace

bool gemm_nt_avx512_available(bool bfloat16) {
  return bfloat16 ? cpu::avx512_bf16_available() : cpu::avx512_available();
}

void gemm_nt_avx512(const GemmParams& p, const ParallelFor& parallel) {
  if (p.m <= 0 || p.n <= 0) return;
  if (p.k <= 0) {  // an empty sum: c = bias, or 0
    for (int64_t i = 0; i < p.m; ++i) {
      for (int64_t j = 0; j < p.n; ++j) {
        if (p.bfloat16) {
          static_cast<BFloat16*>(p.c)[i * p.ldc + j] =
              p.bias ? static_cast<const BFloat16*>(p.bias)[j] : BFloat16{0};
        } else {
          static_cast<float*>(p.c)[i * p.ldc + j] =
              p.bias ? static_cast<const float*>(p.bias)[j] : 0.0f;
        }
      }
    }
    return;
  }
  if (p.bfloat16) {
    gemm<uint16_t>(p, parallel);
  } else {
    gemm<float>(p, parallel);
  }
}

}  // namespace hd::kernels
