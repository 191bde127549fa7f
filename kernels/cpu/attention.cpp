#include "hd/kernels/attention.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
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

// Element conversions: bfloat16 is the top half of a float32 (stored rounded to nearest even).
inline float to_float(float v) {
  return v;
}
inline float to_float(BFloat16 v) {
  return std::bit_cast<float>(static_cast<uint32_t>(v.bits) << 16);
}
inline void store(float& dst, float v) {
  dst = v;
}
inline void store(BFloat16& dst, float v) {
  const uint32_t u = std::bit_cast<uint32_t>(v);
  dst.bits =
      static_cast<uint16_t>(v != v ? ((u >> 16) | 0x40u) : (u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

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

// The running state of kRows query rows: scaled queries, unnormalised output, running
// maximum and sum of the softmax.
struct RowBlock {
  float* q;  // [kRows, d], times scale * log2(e)
  float* o;  // [kRows, d16]
  float m[kRows];
  float l[kRows];
};

// Workspace floats one unit of work needs.
int64_t workspace_size(const AttentionParams& p) {
  const int64_t d = p.head_dim, d16 = round_up(d, 16), lk = round_up(p.kv_len, kKeys);
  return d * lk + lk * d16 + kRows * kKeyBlock + kGroups * kRows * (d + d16);
}

// One (batch, head) and the query rows [q0, q1); T is the tensors' element type.
template <class T>
HD_AVX512 void attend(const AttentionParams& p, int64_t b, int64_t h, int64_t q0, int64_t q1,
                      float* ws) {
  const int64_t d = p.head_dim, d16 = round_up(d, 16), lk = p.kv_len, lk64 = round_up(lk, kKeys);
  // Keys transposed per block of 64, [lk64 / 64, d, 64], so that a block's scores read
  // contiguous memory (rows of a [d, lk] transpose lie a power of two apart for the usual
  // sequence lengths and evict each other from the caches). Zero-padded.
  float* kt = ws;
  float* vp = kt + d * lk64;   // [lk64, d16]: values, zero-padded
  float* s = vp + lk64 * d16;  // [kRows, kKeyBlock]: scores, then probabilities
  float* state = s + kRows * kKeyBlock;

  const T* k = static_cast<const T*>(p.k.data) + b * p.k.stride_b + h * p.k.stride_h;
  const T* v = static_cast<const T*>(p.v.data) + b * p.v.stride_b + h * p.v.stride_h;
  for (int64_t j0 = 0; j0 < lk64; j0 += kKeys) {
    float* blk = kt + j0 * d;  // [d, 64]
    for (int64_t j = j0; j < j0 + kKeys; ++j) {
      const T* src = k + j * p.k.stride_l;
      float* dst = blk + (j - j0);
      if (j < lk) {
        for (int64_t i = 0; i < d; ++i) dst[i * kKeys] = to_float(src[i]);
      } else {
        for (int64_t i = 0; i < d; ++i) dst[i * kKeys] = 0.0f;
      }
    }
  }
  for (int64_t j = 0; j < lk64; ++j) {
    float* row = vp + j * d16;
    if (j < lk) {
      const T* src = v + j * p.v.stride_l;
      for (int64_t i = 0; i < d; ++i) row[i] = to_float(src[i]);
      std::fill(row + d, row + d16, 0.0f);
    } else {
      std::fill(row, row + d16, 0.0f);
    }
  }

  const T* q = static_cast<const T*>(p.q.data) + b * p.q.stride_b + h * p.q.stride_h;
  T* out = static_cast<T*>(p.out.data) + b * p.out.stride_b + h * p.out.stride_h;
  const float qscale = p.scale * 1.44269504088896341f;  // scores in base 2
  const float neg_inf = -std::numeric_limits<float>::infinity();
  RowBlock blocks[kGroups];
  for (int64_t first = q0; first < q1; first += kGroups * kRows) {
    const int groups =
        static_cast<int>(std::min<int64_t>(kGroups, (q1 - first + kRows - 1) / kRows));
    for (int g = 0; g < groups; ++g) {
      RowBlock& rb = blocks[g];
      rb.q = state + g * kRows * (d + d16);
      rb.o = rb.q + kRows * d;
      std::fill(rb.o, rb.o + kRows * d16, 0.0f);
      for (int r = 0; r < kRows; ++r) {
        const int64_t row = first + g * kRows + r;
        for (int64_t i = 0; i < d; ++i)
          rb.q[r * d + i] = row < q1 ? to_float(q[row * p.q.stride_l + i]) * qscale : 0.0f;
        rb.m[r] = neg_inf;
        rb.l[r] = 0.0f;
      }
    }
    for (int64_t k0 = 0; k0 < lk; k0 += kKeyBlock) {
      const int64_t kb = std::min<int64_t>(kKeyBlock, lk - k0), kb64 = round_up(kb, kKeys);
      for (int g = 0; g < groups; ++g) {
        RowBlock& rb = blocks[g];
        for (int64_t u = 0; u < kb64; u += kKeys)
          score_block(rb.q, d, kt + (k0 + u) * d, kKeys, s + u, kKeyBlock);
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

}  // namespace

bool attention_avx512_available() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("fma");
  }();
  return ok;
}

void attention_avx512(const AttentionParams& p, const ParallelFor& parallel) {
  if (p.head_dim < 1 || p.head_dim > kMaxHeadDim || p.kv_len < 1) return;
  // Work units: (batch, head, query chunk). Enough chunks for the threads when there are few
  // heads; each unit copies its keys and values once, so chunks stay large.
  const int64_t bh = p.batch * p.heads;
  const int64_t splits = std::max<int64_t>(1, (16 + bh - 1) / bh);
  const int64_t chunk =
      round_up(std::max<int64_t>(1, (p.q_len + splits - 1) / splits), kRows * kGroups);
  const int64_t per_head = (p.q_len + chunk - 1) / chunk;
  const int64_t units = bh * per_head;
  const int64_t ws = workspace_size(p);
  auto body = [&](int64_t begin, int64_t end) {
    std::vector<float> workspace(static_cast<size_t>(ws));
    for (int64_t u = begin; u < end; ++u) {
      const int64_t head = u / per_head, c = u % per_head;
      const int64_t q0 = c * chunk, q1 = std::min(p.q_len, q0 + chunk);
      if (p.bfloat16) {
        attend<BFloat16>(p, head / p.heads, head % p.heads, q0, q1, workspace.data());
      } else {
        attend<float>(p, head / p.heads, head % p.heads, q0, q1, workspace.data());
      }
    }
  };
  if (parallel && units > 1) {
    parallel(units, body);
  } else {
    body(0, units);
  }
}

}  // namespace hd::kernels
