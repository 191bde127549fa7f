// Helpers for tests that compare libtorch results with golden fixtures.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "io/safetensors.h"

namespace hd::test {

// The fixtures: the source tree's, or $HD_TEST_DATA_DIR where the test programs run from
// another copy of the tree (packaging/gpu-run.sh on a borrowed GPU machine).
inline std::filesystem::path data_dir() {
  if (const char* env = std::getenv("HD_TEST_DATA_DIR"); env && *env) return env;
  return HD_TEST_DATA_DIR;
}

// A copy of the fixture tensor `name` as a torch tensor (F32, F16, I64).
inline torch::Tensor fixture_tensor(const SafetensorsFile& file, const std::string& name) {
  const TensorView& v = file.at(name);
  torch::Dtype dt = torch::kFloat32;
  switch (v.dtype) {
    case DType::kF32: dt = torch::kFloat32; break;
    case DType::kF16: dt = torch::kFloat16; break;
    case DType::kI64: dt = torch::kInt64; break;
    default: ADD_FAILURE() << name << ": unexpected dtype " << dtype_name(v.dtype);
  }
  return torch::from_blob(const_cast<std::byte*>(v.data), v.shape, dt).clone();
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return 1e30;
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// The inputs of a UNet fixture (NAME_io.safetensors, written by make_fixtures.py).
struct UNetInputs {
  torch::Tensor sample, t, ctx;  // [B, C, h, w], timestep, [B, L, D]
};

inline UNetInputs unet_fixture_inputs(const std::string& name, const torch::Device& device = torch::kCPU) {
  SafetensorsFile io = SafetensorsFile::open(data_dir() / (name + "_io.safetensors"));
  return {fixture_tensor(io, "sample").to(device), fixture_tensor(io, "timestep").to(device),
          fixture_tensor(io, "encoder_hidden_states").to(device)};
}

}  // namespace hd::test
