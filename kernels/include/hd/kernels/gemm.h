// Small matrix products for CPUs with AVX-512, on a linear layer's weight as it is stored:
// c [m, n] = a [m, k] w^T (+ bias [n]) for w [n, k], float32, or bfloat16 with float32
// accumulation through the CPU's bfloat16 dot products (AVX512_BF16).
//
// Both operands are read along k, so neither is packed: four rows of `a` and six rows of `w`
// meet in 24 vector accumulators of partial sums, summed across lanes once per chunk of k.
// Meant for the many small products of a partial step (a few dozen to a few hundred rows of
// narrow layers), where a library GEMM's per-call setup costs more than the arithmetic; see
// engine/src/models/small_gemm.h for where the engine uses it and the measurements.
#pragma once

#include <cstdint>

#include "hd/kernels/gather_scatter.h"  // ParallelFor

namespace hd::kernels {

struct GemmParams {
  int64_t m = 0, n = 0, k = 0;
  const void* a = nullptr;  // [m, k], rows `lda` elements apart, k contiguous
  int64_t lda = 0;
  const void* w = nullptr;  // [n, k], rows `ldw` elements apart, k contiguous
  int64_t ldw = 0;
  const void* bias = nullptr;  // [n] or null
  void* c = nullptr;           // [m, n], rows `ldc` elements apart, n contiguous
  int64_t ldc = 0;
  bool bfloat16 = false;  // element type of a, w, bias and c (float32 otherwise)
};

// Whether this CPU can run gemm_nt_avx512 for the element type (checked once): AVX-512 for
// float32, AVX512_BF16 as well for bfloat16.
bool gemm_nt_avx512_available(bool bfloat16);

// c = a w^T + bias. Requires gemm_nt_avx512_available(p.bfloat16); c must not overlap a or w.
// `parallel` splits the columns of c; nullptr (or a small product) runs on the calling thread.
void gemm_nt_avx512(const GemmParams& p, const ParallelFor& parallel);

}  // namespace hd::kernels
