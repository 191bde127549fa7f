#include "hd/kernels/attention.h"

#include "cpu_common.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace hd::kernels {
namespace {

constexpr int kRows = 6;        // query rows per register block
constexpr int kKeys = 64;       // keys per register block: four 16-float vectors
constexpr int kKeyBlock = 256;  // keys per softmax update (scores of kRows x 256 in L1)
constexpr int kGroups = 8;      // row blocks sharing each key block while it is in L2
constexpr int kMaxHeadDim = 256;

int64_t round_up(int64_t x, int64_t m) {
  return (x + m - 1) / m * m;
}

using cpu::load;
using cpu::store;

// Only the functions marked so use AVX-512 instructions; the dispatch checks the CPU first.
#define HD_AVX512 __attribute__((target("avx512f,avx512dq,fma")))

// 2^x for x <= 0 (scores minus their running maximum), relative error ~2e-7: the nearest
// integer n goes to the exponent through scalef, 2^(x - n) through a degree-6 polynomial.
// Inputs below -126 give 2^-126 (not 0 and never a subnormal): a negligible weight.
HD_AVX512 inline __m512 exp2_ps(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-126.0f));
  const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(x, n);  // [-0.5, 0.5]
  __m512 p = _mm512_set1_ps(1.5403530e-4f);
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.3333558e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.6181291e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5504109e-2f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022651e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314718e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

// s[r][0, 64) = sum_i q[r][i] kt[i][0, 64) for the kRows rows of q ([kRows, d]).
HD_AVX512 inline void score_block(const float* q, int64_t d, const float* kt, int64_t ldk, float* s,
                                  int64_t lds) {
  __m512 acc[kRows][4];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) acc[r][u] = _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < d; ++i) {
    const float* krow = kt + i * ldk;
    const __m512 k0 = _mm512_loadu_ps(krow), k1 = _mm512_loadu_ps(krow + 16);
    const __m512 k2 = _mm512_loadu_ps(krow + 32), k3 = _mm512_loadu_ps(krow + 48);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m512 qr = _mm512_set1_ps(q[r * d + i]);
      acc[r][0] = _mm512_fmadd_ps(qr, k0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(qr, k1, acc[r][1]);
      acc[r][2] = _mm512_fmadd_ps(qr, k2, acc[r][2]);
      acc[r][3] = _mm512_fmadd_ps(qr, k3, acc[r][3]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) _mm512_storeu_ps(s + r * lds + 16 * u, acc[r][u]);
  }
}

// o[r][0, 16 NV) += sum_j p[r][j] v[j][0, 16 NV) over `keys` keys.
template <int NV>
HD_AVX512 inline void value_block(const float* p, int64_t ldp, int64_t keys, const float* v,
                                  int64_t ldv, float* o, int64_t ldo) {
  __m512 acc[kRows][NV];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < NV; ++u) acc[r][u] = _mm512_loadu_ps(o + r * ldo + 16 * u);
  }
  for (int64_t j = 0; j < keys; ++j) {
    __m512 vj[NV];
#pragma GCC unroll 4
    for (int u = 0; u < NV; ++u) vj[u] = _mm512_loadu_ps(v + j * ldv + 16 * u);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m512 pr = _mm512_set1_ps(p[r * ldp + j]);
#pragma GCC unroll 4
      for (int u = 0; u < NV; ++u) acc[r][u] = _mm512_fmadd_ps(pr, vj[u], acc[r][u]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < NV; ++u) _mm512_storeu_ps(o + r * ldo + 16 * u, acc[r][u]);
  }
}

// bfloat16 dot products (AVX512_BF16): each 32-bit lane multiplies a pair of bfloat16 values
// by another pair and adds both products to a float32 accumulator.
#define HD_AVX512_BF16 __attribute__((target("avx512f,avx512dq,avx512bf16,fma")))

// s[r][0, 64) = scale * sum_i q[r][i] kt[i][0, 64): q as [kRows, d2] bfloat16 pairs (32-bit
// words), kt as [d2, 64 keys, 2] (the same pairs for 16 keys per vector).
HD_AVX512_BF16 inline void score_block_bf16(const uint32_t* q, int64_t d2, const uint16_t* kt,
                                            float scale, float* s, int64_t lds) {
  __m512 acc[kRows][4];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) acc[r][u] = _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < d2; ++i) {
    const uint16_t* krow = kt + i * 2 * kKeys;
    const __m512bh k0 = (__m512bh)_mm512_loadu_si512(krow),
                   k1 = (__m512bh)_mm512_loadu_si512(krow + 32);
    const __m512bh k2 = (__m512bh)_mm512_loadu_si512(krow + 64),
                   k3 = (__m512bh)_mm512_loadu_si512(krow + 96);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m512bh qr = (__m512bh)_mm512_set1_epi32(static_cast<int>(q[r * d2 + i]));
      acc[r][0] = _mm512_dpbf16_ps(acc[r][0], qr, k0);
      acc[r][1] = _mm512_dpbf16_ps(acc[r][1], qr, k1);
      acc[r][2] = _mm512_dpbf16_ps(acc[r][2], qr, k2);
      acc[r][3] = _mm512_dpbf16_ps(acc[r][3], qr, k3);
    }
  }
  const __m512 sv = _mm512_set1_ps(scale);
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u)
      _mm512_storeu_ps(s + r * lds + 16 * u, _mm512_mul_ps(sv, acc[r][u]));
  }
}

// o[r][0, 16 NV) += sum_j p[r][j] v[j][0, 16 NV) over `pairs` pairs of keys: p as [kRows, ldp]
// bfloat16 (consecutive keys form a pair), v as [pairs, ldv] with each row [d16, 2].
template <int NV>
HD_AVX512_BF16 inline void value_block_bf16(const uint16_t* p, int64_t ldp, int64_t pairs,
                                            const uint16_t* v, int64_t ldv, float* o, int64_t ldo) {
  __m512 acc[kRows][NV];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < NV; ++u) acc[r][u] = _mm512_loadu_ps(o + r * ldo + 16 * u);
  }
  for (int64_t j = 0; j < pairs; ++j) {
    __m512bh vj[NV];
#pragma GCC unroll 4
    for (int u = 0; u < NV; ++u) vj[u] = (__m512bh)_mm512_loadu_si512(v + j * ldv + 32 * u);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      uint32_t pair;
      std::memcpy(&pair, p + r * ldp + 2 * j, sizeof pair);
      const __m512bh pr = (__m512bh)_mm512_set1_epi32(static_cast<int>(pair));
#pragma GCC unroll 4
      for (int u = 0; u < NV; ++u) acc[r][u] = _mm512_dpbf16_ps(acc[r][u], pr, vj[u]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int u = 0; u < NV; ++u) _mm512_storeu_ps(o + r * ldo + 16 * u, acc[r][u]);
  }
}

// The running state of kRows query rows: unnormalised output, running maximum and sum of
// the softmax (base 2); the queries themselves in the path's packed form.
struct RowBlock {
  void* q;
  float* o;  // [kRows, d16]
  float m[kRows];
  float l[kRows];
};

// Softmax update of one row block over a key block whose scores (base 2) are in s
// ([kRows, kKeyBlock], kb valid keys of kb64): s becomes the block's unnormalised
// probabilities, and the running sums and outputs are rescaled to the new maxima.
HD_AVX512 void softmax_update(RowBlock& rb, float* s, int64_t kb, int64_t kb64, int64_t d16) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int r = 0; r < kRows; ++r) {
    float* sr = s + r * kKeyBlock;
    std::fill(sr + kb, sr + kb64, neg_inf);  // padding keys
    __m512 mv = _mm512_set1_ps(neg_inf);
    for (int64_t j = 0; j < kb64; j += 16) mv = _mm512_max_ps(mv, _mm512_loadu_ps(sr + j));
    const float m_new = std::max(rb.m[r], _mm512_reduce_max_ps(mv));
    const float alpha = std::exp2(rb.m[r] - m_new);  // 0 at the first block
    const __m512 mb = _mm512_set1_ps(m_new);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < kb64; j += 16) {
      const __m512 e = exp2_ps(_mm512_sub_ps(_mm512_loadu_ps(sr + j), mb));
      _mm512_storeu_ps(sr + j, e);
      sum = _mm512_add_ps(sum, e);
    }
    rb.l[r] = rb.l[r] * alpha + _mm512_reduce_add_ps(sum);
    rb.m[r] = m_new;
    if (alpha != 1.0f) {
      float* orow = rb.o + r * d16;
      const __m512 av = _mm512_set1_ps(alpha);
      for (int64_t c = 0; c < d16; c += 16)
        _mm512_storeu_ps(orow + c, _mm512_mul_ps(av, _mm512_loadu_ps(orow + c)));
    }
  }
}

// Float32 arithmetic on T tensors (float, or bfloat16 widened): keys transposed per block of
// 64, [lk64 / 64, d, 64], so that a block's scores read contiguous memory (rows of a [d, lk]
// transpose lie a power of two apart for the usual sequence lengths and evict each other
// from the caches); values as [lk64, d16]; queries [kRows, d] times scale * log2(e).
template <class T>
struct Float32Path {
  using Element = T;
  static constexpr int64_t kPad = 1;  // head-size multiple the packed queries use
  float* kt;
  float* vp;
  int64_t d, d16;

  static int64_t floats(int64_t d, int64_t d16, int64_t lk64) { return d * lk64 + lk64 * d16; }
  static int64_t query_floats(int64_t d) { return kRows * d; }

  HD_AVX512 void pack(const T* k, int64_t ks, const T* v, int64_t vs, int64_t lk, int64_t lk64) {
    for (int64_t j0 = 0; j0 < lk64; j0 += kKeys) {
      float* blk = kt + j0 * d;  // [d, 64]
      for (int64_t j = j0; j < j0 + kKeys; ++j) {
        const T* src = k + j * ks;
        float* dst = blk + (j - j0);
        for (int64_t i = 0; i < d; ++i) dst[i * kKeys] = j < lk ? load(src[i]) : 0.0f;
      }
    }
    for (int64_t j = 0; j < lk64; ++j) {
      float* row = vp + j * d16;
      const T* src = v + j * vs;
      for (int64_t i = 0; i < d16; ++i) row[i] = j < lk && i < d ? load(src[i]) : 0.0f;
    }
  }
  void load_query(void* q, int r, const T* src, float qscale) const {
    float* dst = static_cast<float*>(q) + r * d;
    for (int64_t i = 0; i < d; ++i) dst[i] = src ? load(src[i]) * qscale : 0.0f;
  }
  HD_AVX512 void scores(const RowBlock& rb, int64_t k0, int64_t kb64, float, float* s) const {
    for (int64_t u = 0; u < kb64; u += kKeys)
      score_block(static_cast<const float*>(rb.q), d, kt + (k0 + u) * d, kKeys, s + u, kKeyBlock);
  }
  HD_AVX512 void values(RowBlock& rb, const float* s, int64_t k0, int64_t kb64, uint16_t*) const {
    const float* vb = vp + k0 * d16;
    for (int64_t c = 0; c < d16; c += 64) {
      switch (std::min<int64_t>(4, (d16 - c) / 16)) {
        case 1:
          value_block<1>(s, kKeyBlock, kb64, vb + c, d16, rb.o + c, d16);
          break;
        case 2:
          value_block<2>(s, kKeyBlock, kb64, vb + c, d16, rb.o + c, d16);
          break;
        case 3:
          value_block<3>(s, kKeyBlock, kb64, vb + c, d16, rb.o + c, d16);
          break;
        default:
          value_block<4>(s, kKeyBlock, kb64, vb + c, d16, rb.o + c, d16);
          break;
      }
    }
  }
};

// bfloat16 tensors through bfloat16 dot products: keys as [lk64 / 64, d2, 64, 2] (pairs of
// head entries per key), values as [lk64 / 2, d16, 2] (pairs of keys per entry), queries as
// [kRows, d2] pairs; the scale is applied to the float32 scores, and each block's
// probabilities are rounded to bfloat16 for the product with the values (as libtorch's
// bfloat16 kernels do).
struct BFloat16Path {
  using Element = BFloat16;
  static constexpr int64_t kPad = 2;
  uint16_t* kt;
  uint16_t* vp;
  int64_t d, d16;

  static int64_t floats(int64_t d, int64_t d16, int64_t lk64) {
    return (round_up(d, 2) * lk64 + lk64 * d16) / 2;
  }
  static int64_t query_floats(int64_t d) { return kRows * round_up(d, 2) / 2; }

  void pack(const BFloat16* k, int64_t ks, const BFloat16* v, int64_t vs, int64_t lk,
            int64_t lk64) {
    const int64_t d2 = round_up(d, 2) / 2;
    // The pair (a, b) as one 32-bit word, a in the low half (as the dot products pair lanes).
    const auto pair = [](uint16_t a, uint16_t b) {
      return static_cast<uint32_t>(a) | (static_cast<uint32_t>(b) << 16);
    };
    const auto at = [&](const BFloat16* row, int64_t i) -> uint16_t {
      return i < d ? row[i].bits : 0;
    };
    for (int64_t j0 = 0; j0 < lk64; j0 += kKeys) {
      uint32_t* blk = reinterpret_cast<uint32_t*>(kt + j0 * d2 * 2);  // [d2, 64] pairs
      for (int64_t j = j0; j < j0 + kKeys; ++j) {
        const BFloat16* src = k + j * ks;
        for (int64_t i = 0; i < d2; ++i)
          blk[i * kKeys + (j - j0)] = j < lk ? pair(at(src, 2 * i), at(src, 2 * i + 1)) : 0;
      }
    }
    for (int64_t j = 0; j < lk64; j += 2) {  // [lk64 / 2, d16] pairs of keys
      uint32_t* dst = reinterpret_cast<uint32_t*>(vp + j * d16);
      const BFloat16* a = v + j * vs;
      const BFloat16* b = v + (j + 1) * vs;
      for (int64_t i = 0; i < d16; ++i)
        dst[i] = pair(j < lk ? at(a, i) : 0, j + 1 < lk ? at(b, i) : 0);
    }
  }
  void load_query(void* q, int r, const BFloat16* src, float) const {
    const int64_t d2 = round_up(d, 2);
    uint16_t* dst = static_cast<uint16_t*>(q) + r * d2;
    for (int64_t i = 0; i < d2; ++i) dst[i] = src && i < d ? src[i].bits : 0;
  }
  HD_AVX512_BF16 void scores(const RowBlock& rb, int64_t k0, int64_t kb64, float qscale,
                             float* s) const {
    const int64_t d2 = round_up(d, 2) / 2;
    for (int64_t u = 0; u < kb64; u += kKeys)
      score_block_bf16(static_cast<const uint32_t*>(rb.q), d2, kt + (k0 + u) * d2 * 2, qscale,
                       s + u, kKeyBlock);
  }
  HD_AVX512_BF16 void values(RowBlock& rb, const float* s, int64_t k0, int64_t kb64,
                             uint16_t* p16) const {
    for (int r = 0; r < kRows; ++r) {  // probabilities to bfloat16, in key order
      for (int64_t j = 0; j < kb64; j += 32) {
        const __m512bh pair = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(s + r * kKeyBlock + j + 16),
                                                  _mm512_loadu_ps(s + r * kKeyBlock + j));
        _mm512_storeu_si512(p16 + r * kKeyBlock + j, (__m512i)pair);
      }
    }
    const uint16_t* vb = vp + (k0 / 2) * d16 * 2;
    const int64_t pairs = kb64 / 2;
    for (int64_t c = 0; c < d16; c += 64) {
      const uint16_t* vc = vb + 2 * c;
      float* oc = rb.o + c;
      switch (std::min<int64_t>(4, (d16 - c) / 16)) {
        case 1:
          value_block_bf16<1>(p16, kKeyBlock, pairs, vc, 2 * d16, oc, d16);
          break;
        case 2:
          value_block_bf16<2>(p16, kKeyBlock, pairs, vc, 2 * d16, oc, d16);
          break;
        case 3:
          value_block_bf16<3>(p16, kKeyBlock, pairs, vc, 2 * d16, oc, d16);
          break;
        default:
          value_block_bf16<4>(p16, kKeyBlock, pairs, vc, 2 * d16, oc, d16);
          break;
      }
    }
  }
};

// Workspace floats one unit of work needs on a path.
template <class Path>
int64_t workspace_size(const AttentionParams& p) {
  const int64_t d = p.head_dim, d16 = round_up(d, 16), lk64 = round_up(p.kv_len, kKeys);
  return Path::floats(d, d16, lk64) + kRows * kKeyBlock * 3 / 2 +
         kGroups * (Path::query_floats(d) + kRows * d16);
}

// One (batch, head) and the query rows [q0, q1).
template <class Path>
void attend(const AttentionParams& p, int64_t b, int64_t h, int64_t q0, int64_t q1, float* ws) {
  using T = typename Path::Element;
  const int64_t d = p.head_dim, d16 = round_up(d, 16), lk = p.kv_len, lk64 = round_up(lk, kKeys);
  Path path;
  path.d = d, path.d16 = d16;
  using Packed = std::remove_pointer_t<decltype(path.kt)>;
  path.kt = reinterpret_cast<Packed*>(ws);
  path.vp =
      path.kt + (Path::floats(d, d16, lk64) * static_cast<int64_t>(sizeof(float) / sizeof(Packed)) -
                 lk64 * d16);
  float* s = ws + Path::floats(d, d16, lk64);  // [kRows, kKeyBlock]: scores, then probabilities
  uint16_t* p16 = reinterpret_cast<uint16_t*>(s + kRows * kKeyBlock);  // [kRows, kKeyBlock]
  float* state = s + kRows * kKeyBlock * 3 / 2;

  path.pack(static_cast<const T*>(p.k.data) + b * p.k.stride_b + h * p.k.stride_h, p.k.stride_l,
            static_cast<const T*>(p.v.data) + b * p.v.stride_b + h * p.v.stride_h, p.v.stride_l, lk,
            lk64);
  const T* q = static_cast<const T*>(p.q.data) + b * p.q.stride_b + h * p.q.stride_h;
  T* out = static_cast<T*>(p.out.data) + b * p.out.stride_b + h * p.out.stride_h;
  const float qscale = p.scale * 1.44269504088896341f;  // scores in base 2
  RowBlock blocks[kGroups];
  for (int64_t first = q0; first < q1; first += kGroups * kRows) {
    const int groups =
        static_cast<int>(std::min<int64_t>(kGroups, (q1 - first + kRows - 1) / kRows));
    for (int g = 0; g < groups; ++g) {
      RowBlock& rb = blocks[g];
      rb.q = state + g * (Path::query_floats(d) + kRows * d16);
      rb.o = static_cast<float*>(rb.q) + Path::query_floats(d);
      std::fill(rb.o, rb.o + kRows * d16, 0.0f);
      for (int r = 0; r < kRows; ++r) {
        const int64_t row = first + g * kRows + r;
        path.load_query(rb.q, r, row < q1 ? q + row * p.q.stride_l : nullptr, qscale);
        rb.m[r] = -std::numeric_limits<float>::infinity();
        rb.l[r] = 0.0f;
      }
    }
    for (int64_t k0 = 0; k0 < lk; k0 += kKeyBlock) {
      const int64_t kb = std::min<int64_t>(kKeyBlock, lk - k0), kb64 = round_up(kb, kKeys);
      for (int g = 0; g < groups; ++g) {
        path.scores(blocks[g], k0, kb64, qscale, s);
        softmax_update(blocks[g], s, kb, kb64, d16);
        path.values(blocks[g], s, k0, kb64, p16);
      }
    }
    for (int g = 0; g < groups; ++g) {
      const RowBlock& rb = blocks[g];
      for (int r = 0; r < kRows; ++r) {
        const int64_t row = first + g * kRows + r;
        if (row >= q1) break;
        const float inv = 1.0f / rb.l[r];
        T* dst = out + row * p.out.stride_l;
        for (int64_t i = 0; i < d; ++i) store(dst[i], rb.o[r * d16 + i] * inv);
      }
    }
  }
}

template <class Path>
void run_units(const AttentionParams& p, const ParallelFor& parallel) {
  // Work units: (batch, head, query chunk). Enough chunks for the threads when there are few
  // heads; each unit packs its keys and values once, so chunks stay large.
  const int64_t bh = p.batch * p.heads;
  const int64_t splits = std::max<int64_t>(1, (16 + bh - 1) / bh);
  const int64_t chunk =
      round_up(std::max<int64_t>(1, (p.q_len + splits - 1) / splits), kRows * kGroups);
  const int64_t per_head = (p.q_len + chunk - 1) / chunk;
  const int64_t units = bh * per_head;
  const int64_t ws = workspace_size<Path>(p);
  auto body = [&](int64_t begin, int64_t end) {
    std::vector<float> workspace(static_cast<size_t>(ws));
    for (int64_t u = begin; u < end; ++u) {
      const int64_t head = u / per_head, c = u % per_head;
      const int64_t q0 = c * chunk, q1 = std::min(p.q_len, q0 + chunk);
      attend<Path>(p, head / p.heads, head % p.heads, q0, q1, workspace.data());
    }
  };
  cpu::run(units, parallel, body);
}

}  // namespace

bool attention_avx512_available() {
  return cpu::avx512_available();
}

void attention_avx512(const AttentionParams& p, const ParallelFor& parallel) {
  if (p.head_dim < 1 || p.head_dim > kMaxHeadDim || p.kv_len < 1) return;
  if (!p.bfloat16) {
    run_units<Float32Path<float>>(p, parallel);
  } else if (p.bfloat16_dot_products && cpu::avx512_bf16_available()) {
    run_units<BFloat16Path>(p, parallel);
  } else {
    run_units<Float32Path<BFloat16>>(p, parallel);
  }
}

}  // namespace hd::kernels
