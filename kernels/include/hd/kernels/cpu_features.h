// CPU features that decide between hdkernels' CPU kernels and libtorch's own (checked once).
#pragma once

namespace hd::kernels {

// Whether the CPU has the AVX-512 subsets the CPU kernels use (F, BW, DQ, VL, with FMA), and
// AVX512_BF16 as well: what their *_available() functions check.
bool cpu_has_avx512();
bool cpu_has_avx512_bf16();

// Whether the CPU has AMX tiles with bfloat16 products (Intel Xeon since Sapphire Rapids) and
// the operating system has enabled their state. libtorch's bfloat16 GEMMs and attention (oneDNN
// and its brgemm kernels) then run on the tiles, at several times the rate of AVX512_BF16 dot
// products, on which hdkernels' bfloat16 GEMM and attention rely.
bool cpu_has_amx_bf16();

}  // namespace hd::kernels
