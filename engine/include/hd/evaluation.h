// Evaluation helpers for `hd eval`: prompt fidelity on the embedded model's domain, the
// Frechet distance, and feature / perceptual networks that users provide as TorchScript
// files (nothing is downloaded). Free of libtorch, like the rest of the public API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hd/engine.h"
#include "hd/status.h"

namespace hd {

// --- prompt fidelity (procedural scenes of the embedded model) ------------------------------

struct SceneCheck {
  int objects = 0;
  bool ok = false;  // every named object found with the right colour, kind and position
  bool colour_ok = false, kind_ok = false, position_ok = false;  // over all objects
};
// Grades `image` against a scene spec in the JSON form of resources/prompts/*.jsonl
// ({"objects": [{"colour", "kind", "size"}...], "background", "relation"}).
Status check_scene(const Image& image, const std::string& spec_json, SceneCheck* out);

// --- Frechet distance ------------------------------------------------------------------------

// ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)) between N(mu1, S1) and N(mu2, S2), in
// double precision; S1 and S2 are symmetric positive semi-definite, row-major d x d.
double frechet_distance(const std::vector<double>& mu1, const std::vector<double>& sigma1,
                        const std::vector<double>& mu2, const std::vector<double>& sigma2);

struct FeatureStatistics {
  int count = 0;             // images
  int dim = 0;               // feature size
  std::vector<double> mean;  // [dim]
  std::vector<double> cov;   // [dim * dim], unbiased (n - 1)
};

// A feature network for FID from a TorchScript file: forward(float [B, 3, S, S] RGB with
// values in 0..255) -> [B, D] (or [B, D, 1, 1]). Modules whose forward takes a second
// argument (return_features, as the inception-2015-12-05.pt of StyleGAN and clean-fid)
// are called with True. Images are resized to S x S (bilinear) first.
class FeatureNetwork {
 public:
  FeatureNetwork();
  ~FeatureNetwork();
  Status load(const std::string& torchscript_file, int input_size = 299);
  // Statistics of the features of every *.png in `folder` (sorted by name).
  Status folder_statistics(const std::string& folder, FeatureStatistics* out, int batch = 16);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// FID between the PNG images of two folders.
Status folder_fid(FeatureNetwork& network, const std::string& folder_a, const std::string& folder_b,
                  double* fid);

// A perceptual distance (LPIPS) from a TorchScript file: forward(a, b), both float
// [B, 3, H, W] RGB in [-1, 1] -> [B] or [B, 1, 1, 1].
class PerceptualDistance {
 public:
  PerceptualDistance();
  ~PerceptualDistance();
  Status load(const std::string& torchscript_file);
  Status distance(const Image& a, const Image& b, double* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hd
