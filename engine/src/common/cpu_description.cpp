// The CPU facts of engine.h's reports: its name and the extensions the kernels choose by.
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

#include "hd/engine.h"
#include "hd/kernels/cpu_features.h"

namespace hd {

bool cpu_has_native_bfloat16() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  return kernels::cpu_has_avx512_bf16() || kernels::cpu_has_amx_bf16();
#else
  return false;
#endif
}

std::string cpu_description() {
  std::string name, features;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  unsigned int max_leaf = __get_cpuid_max(0x80000000u, nullptr);
  if (max_leaf >= 0x80000004u) {
    unsigned int regs[12];
    for (unsigned int i = 0; i < 3; ++i) {
      __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2],
                  &regs[4 * i + 3]);
    }
    name.assign(reinterpret_cast<const char*>(regs), sizeof regs);
    name = name.substr(0, name.find('\0'));
  }
  __builtin_cpu_init();
  features = kernels::cpu_has_avx512()        ? "AVX-512"
             : __builtin_cpu_supports("avx2") ? "AVX2"
                                              : "no AVX2";
  if (kernels::cpu_has_avx512_bf16()) features += ", AVX512_BF16";
  if (kernels::cpu_has_amx_bf16()) features += ", AMX-BF16";
#endif
  // The brand string is padded with spaces (leading on some Intel parts).
  const size_t first = name.find_first_not_of(' '), last = name.find_last_not_of(' ');
  name = first == std::string::npos ? "unknown CPU" : name.substr(first, last - first + 1);
  return features.empty() ? name : name + " (" + features + ")";
}

}  // namespace hd
