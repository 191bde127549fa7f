// The CPU feature checks that route bfloat16 work to libtorch, against what Linux reports.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "hd/kernels/cpu_features.h"

namespace hd::kernels {
namespace {

// cpu_has_amx_bf16() reads CPUID and XCR0 itself; Linux lists amx_tile and amx_bf16 among a
// processor's flags only where the CPU has them and the kernel enabled the tile state.
TEST(CpuFeatures, AmxAgreesWithProcCpuinfo) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line) && line.rfind("flags", 0) != 0) {
  }
  if (line.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags line (not Linux on x86)";
  std::istringstream words(line.substr(line.find(':') + 1));
  bool tile = false, bf16 = false;
  for (std::string w; words >> w;) {
    tile = tile || w == "amx_tile";
    bf16 = bf16 || w == "amx_bf16";
  }
  EXPECT_EQ(cpu_has_amx_bf16(), tile && bf16) << line;
}

}  // namespace
}  // namespace hd::kernels
