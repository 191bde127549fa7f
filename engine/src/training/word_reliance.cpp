#include "training/word_reliance.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>
#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/rng.h"
#include "data/scene.h"
#include "io/model_loader.h"
#include "schedulers/scheduling_ddim.h"

namespace hd::train {

std::vector<double> object_x0_errors(SDComponents& model, const RelianceSample& sample) {
  if (sample.timesteps.empty()) fail("word reliance: a sample without timesteps");
  if (sample.captions.empty()) fail("word reliance: a sample without captions");
  const double area = sample.mask.sum().item<double>();
  if (!(area > 0)) fail("word reliance: the object's mask is empty");
  torch::NoGradGuard no_grad;
  const torch::Tensor z =
      model.vae->to_diffusion_latents(model.vae->encode(sample.image).mean);  // [1, C, h, w]
  if (z.sizes() != sample.noise.sizes() || z.size(2) != sample.mask.size(2) ||
      z.size(3) != sample.mask.size(3))
    fail("word reliance: latents ", shape_str(z.sizes()), ", noise ",
         shape_str(sample.noise.sizes()), " and mask ", shape_str(sample.mask.sizes()),
         " disagree");
  const auto n = static_cast<int64_t>(sample.captions.size());
  std::vector<int64_t> ids;
  for (const std::string& caption : sample.captions) {
    const TokenizedText t = model.tokenizer->encode(caption);
    ids.insert(ids.end(), t.ids.begin(), t.ids.end());
  }
  const torch::Tensor context =
      model.text_encoder->forward(torch::tensor(ids, torch::kLong).view({n, -1}));  // [N, L, D]
  const DDIMScheduler scheduler(model.scheduler);
  const torch::Tensor& alphas = scheduler.alphas_cumprod();  // [T]
  torch::Tensor sum = torch::zeros({n}, torch::kDouble);  // [N]
  for (const int64_t t : sample.timesteps) {
    if (t < 0 || t >= alphas.size(0)) fail("word reliance: timestep ", t, " is out of range");
    const double a = alphas[t].item<double>();
    const torch::Tensor noisy = (std::sqrt(a) * z + std::sqrt(1 - a) * sample.noise)
                                    .expand({n, -1, -1, -1});  // [N, C, h, w]
    const torch::Tensor pred =
        model.unet->forward(noisy, torch::full({n}, t, torch::kLong), context);
    const torch::Tensor x0 = scheduler.predict_original_sample(pred, t, noisy);  // [N, C, h, w]
    sum += ((x0 - z).pow(2) * sample.mask).sum({1, 2, 3}).to(torch::kDouble);
  }
  const torch::Tensor mean =
      sum / (area * static_cast<double>(z.size(1)) * static_cast<double>(sample.timesteps.size()));
  return std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + n);
}

namespace {

// `count` words of `words` other than `word`, drawn without repeats; `allowed` filters them.
template <typename Allowed>
std::vector<std::string> other_words(const std::vector<std::string>& words, const std::string& word,
                                     int count, data::Rng& rng, Allowed allowed) {
  std::vector<std::string> pool;
  for (const std::string& w : words) {
    if (w != word && allowed(w)) pool.push_back(w);
  }
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < count && !pool.empty()) {
    const int i = rng.below(static_cast<int>(pool.size()));
    out.push_back(pool[i]);
    pool.erase(pool.begin() + i);
  }
  return out;
}

}  // namespace

WordRelianceReport word_reliance(const std::filesystem::path& model_dir,
                                 const WordRelianceOptions& o) {
  if (o.scenes < 1 || o.swaps < 1 || o.levels.empty())
    fail("word reliance: ", o.scenes, " scenes, ", o.swaps, " swaps and ", o.levels.size(),
         " noise levels (at least one of each)");
  for (const double level : o.levels) {
    if (!(level >= 0 && level < 1)) fail("word reliance: noise level ", level, " is not in [0, 1)");
  }
  SDComponents model = load_diffusers_folder(model_dir, torch::kCPU);
  const int size = static_cast<int>(model.vae->config().sample_size);
  const int64_t f = model.vae->scale_factor(), T = model.scheduler.num_train_timesteps;
  std::vector<int64_t> timesteps;
  for (const double level : o.levels) timesteps.push_back(static_cast<int64_t>(level * T));
  data::Rng rng(o.seed);
  torch::Generator gen = at::detail::createCPUGenerator(o.seed);
  WordRelianceReport report;
  const std::vector<data::SceneSpec> specs = data::evaluation_specs(o.scenes, 1, o.seed);
  for (size_t i = 0; i < specs.size(); ++i) {
    const data::SceneSpec& spec = specs[i];
    const data::ObjectSpec& object = spec.objects[0];
    const data::Scene scene = data::render_spec(spec, o.seed + i, size);
    RelianceSample s;
    s.image = torch::from_blob(scene.rgb.data, {1, size, size, 3}, torch::kUInt8)
                  .permute({0, 3, 1, 2})
                  .to(torch::kFloat32)
                  .div(127.5)
                  .sub(1);  // [1, 3, S, S]
    cv::Mat small;
    cv::resize(scene.objects[0].mask, small,
               {size / static_cast<int>(f), size / static_cast<int>(f)}, 0, 0, cv::INTER_AREA);
    s.mask = torch::from_blob(small.data, {1, 1, small.rows, small.cols}, torch::kUInt8)
                 .ge(128)
                 .to(torch::kFloat32);  // [1, 1, h, w]
    s.noise = torch::randn({1, model.unet->config().in_channels, small.rows, small.cols}, gen);
    s.timesteps = timesteps;
    const uint64_t variant = o.seed + 1000 + i;  // the same wording for every swap
    s.captions.push_back(data::caption_for(spec, variant));
    const auto kinds =
        other_words(data::kinds(), object.kind, o.swaps, rng, [](const auto&) { return true; });
    const auto colours = other_words(
        data::colours(), object.colour, o.swaps, rng,
        [&](const std::string& c) { return data::colour_fits_background(c, spec.background); });
    for (const std::string& kind : kinds) {
      data::SceneSpec swapped = spec;
      swapped.objects[0].kind = kind;
      s.captions.push_back(data::caption_for(swapped, variant));
    }
    for (const std::string& colour : colours) {
      data::SceneSpec swapped = spec;
      swapped.objects[0].colour = colour;
      s.captions.push_back(data::caption_for(swapped, variant));
    }
    const std::vector<double> errors = object_x0_errors(model, s);  // right, kinds..., colours...
    const auto mean = [&](size_t from, size_t count) {
      double sum = 0;
      for (size_t k = from; k < from + count; ++k) sum += errors[k];
      return count ? sum / static_cast<double>(count) : 0.0;
    };
    report.kinds.right += errors[0];
    report.kinds.swapped += mean(1, kinds.size());
    report.colours.right += errors[0];
    report.colours.swapped += mean(1 + kinds.size(), colours.size());
  }
  for (WordReliance* r : {&report.kinds, &report.colours}) {
    r->right /= static_cast<double>(specs.size());
    r->swapped /= static_cast<double>(specs.size());
  }
  return report;
}

}  // namespace hd::train
