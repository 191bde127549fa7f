// FeatureNetwork, folder_fid and PerceptualDistance: TorchScript networks the user provides
// (the Inception network of FID, LPIPS), run on the CPU in float32.
#include <algorithm>
#include <filesystem>

#include <torch/script.h>
#include <torch/torch.h>
#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "common/guarded.h"
#include "hd/evaluation.h"
#include "io/png_file.h"

namespace hd {
namespace fs = std::filesystem;
namespace {

torch::jit::Module load_module(const std::string& file, const char* what) {
  if (!fs::is_regular_file(file)) fail(file, ": no such file (", what, ", a TorchScript file)");
  try {
    torch::jit::Module m = torch::jit::load(file, torch::kCPU);
    m.eval();
    return m;
  } catch (const c10::Error& e) {
    fail(file, ": not a TorchScript module (", what, "): ", e.what_without_backtrace());
  }
}

// Number of arguments of forward, self excluded.
size_t forward_arity(const torch::jit::Module& m) {
  return m.get_method("forward").function().getSchema().arguments().size() - 1;
}

// A PNG as float [3, S, S] RGB in 0..255, resized bilinearly.
torch::Tensor read_png(const fs::path& file, int size) {
  RgbImage image = read_png_rgb(file);
  cv::Mat rgb(image.height, image.width, CV_8UC3, image.rgb.data());
  if (rgb.cols != size || rgb.rows != size)
    cv::resize(rgb, rgb, {size, size}, 0, 0, cv::INTER_LINEAR);
  torch::Tensor t = torch::from_blob(rgb.data, {size, size, 3}, torch::kUInt8);
  return t.permute({2, 0, 1}).to(torch::kFloat32).contiguous();  // [3, S, S]
}

// Image (8-bit RGB) as float [1, 3, H, W] in [-1, 1].
torch::Tensor to_signed(const Image& img) {
  torch::Tensor t = torch::from_blob(const_cast<uint8_t*>(img.rgb.data()),
                                     {img.height, img.width, 3}, torch::kUInt8);
  return t.permute({2, 0, 1}).to(torch::kFloat32).div(127.5).sub(1).unsqueeze(0);
}

}  // namespace

struct FeatureNetwork::Impl {
  torch::jit::Module module;
  std::string file;
  int input_size = 299;
  bool return_features_arg = false;
};

FeatureNetwork::FeatureNetwork() : impl_(std::make_unique<Impl>()) {}
FeatureNetwork::~FeatureNetwork() = default;

Status FeatureNetwork::load(const std::string& file, int input_size) {
  return guarded([&] {
    if (input_size < 8) fail("feature network input size must be at least 8, got ", input_size);
    impl_->module = load_module(file, "feature network");
    impl_->file = file;
    impl_->input_size = input_size;
    const size_t arity = forward_arity(impl_->module);
    if (arity < 1 || arity > 2)
      fail(file, ": forward takes ", arity, " arguments, expected (images[, return_features])");
    impl_->return_features_arg = arity == 2;
  });
}

Status FeatureNetwork::folder_statistics(const std::string& folder, FeatureStatistics* out,
                                         int batch) {
  return guarded([&] {
    if (impl_->file.empty()) fail("feature network: not loaded");
    if (!fs::is_directory(folder)) fail(folder, ": no such folder");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(folder)) {
      if (e.is_regular_file() && e.path().extension() == ".png") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.size() < 2) fail(folder, ": ", files.size(), " PNG images; FID needs at least 2");
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> features;
    for (size_t i = 0; i < files.size(); i += batch) {
      std::vector<torch::Tensor> images;
      for (size_t j = i; j < std::min(files.size(), i + batch); ++j)
        images.push_back(read_png(files[j], impl_->input_size));
      std::vector<torch::jit::IValue> inputs = {torch::stack(images)};  // [B, 3, S, S]
      if (impl_->return_features_arg) inputs.emplace_back(true);
      torch::Tensor f = impl_->module.forward(inputs).toTensor();
      if (f.dim() == 4 && f.size(2) == 1 && f.size(3) == 1)
        f = f.flatten(1);  // [B, D, 1, 1] -> [B, D]
      if (f.dim() != 2 || f.size(0) != static_cast<int64_t>(images.size())) {
        fail(impl_->file, ": the network returned shape ", f.sizes(), ", expected [", images.size(),
             ", D]");
      }
      features.push_back(f.to(torch::kFloat64));
    }
    torch::Tensor all = torch::cat(features);  // [N, D]
    torch::Tensor mean = all.mean(0);
    torch::Tensor centred = all - mean;
    torch::Tensor cov = centred.t().matmul(centred) / (all.size(0) - 1);  // [D, D]
    out->count = static_cast<int>(all.size(0));
    out->dim = static_cast<int>(all.size(1));
    out->mean.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
    cov = cov.contiguous();
    out->cov.assign(cov.data_ptr<double>(), cov.data_ptr<double>() + cov.numel());
  });
}

Status folder_fid(FeatureNetwork& network, const std::string& folder_a, const std::string& folder_b,
                  double* fid) {
  FeatureStatistics a, b;
  Status st = network.folder_statistics(folder_a, &a);
  if (st.ok()) st = network.folder_statistics(folder_b, &b);
  if (!st.ok()) return st;
  return guarded([&] { *fid = frechet_distance(a.mean, a.cov, b.mean, b.cov); });
}

struct PerceptualDistance::Impl {
  torch::jit::Module module;
  std::string file;
};

PerceptualDistance::PerceptualDistance() : impl_(std::make_unique<Impl>()) {}
PerceptualDistance::~PerceptualDistance() = default;

Status PerceptualDistance::load(const std::string& file) {
  return guarded([&] {
    impl_->module = load_module(file, "perceptual distance network");
    impl_->file = file;
    if (forward_arity(impl_->module) != 2) fail(file, ": forward must take two images (a, b)");
  });
}

Status PerceptualDistance::distance(const Image& a, const Image& b, double* out) {
  return guarded([&] {
    if (impl_->file.empty()) fail("perceptual distance network: not loaded");
    if (a.width != b.width || a.height != b.height) {
      fail("perceptual distance: images of ", a.width, "x", a.height, " and ", b.width, "x",
           b.height);
    }
    torch::NoGradGuard no_grad;
    torch::Tensor d = impl_->module.forward({to_signed(a), to_signed(b)}).toTensor();
    if (d.numel() != 1)
      fail(impl_->file, ": the network returned shape ", d.sizes(), ", expected one value");
    *out = d.item<double>();
  });
}

}  // namespace hd
