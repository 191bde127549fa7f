// The whole text-to-image pipeline reproduces diffusers' StableDiffusionPipeline with
// DDIM for the same seed: latents, text embeddings, per-step latents and the image.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hd/engine.h"
#include "io/model_loader.h"
#include "pipeline/stable_diffusion.h"
#include "schedulers/scheduling_ddim.h"
#include "schedulers/scheduling_dpmsolver_multistep.h"
#include "torch_test_util.h"

namespace hd {
namespace {

using test::data_dir;
using test::fixture_tensor;
using test::max_abs_diff;

torch::Tensor image_tensor(const Image& img) {
  return torch::from_blob(const_cast<float*>(img.chw.data()), {1, 3, img.height, img.width}).clone();
}

// The request of a golden run from its file's metadata: keys prefixed "nocfg_" for the run
// without guidance; in a file of several runs, `run` names one (its steps as "steps_<run>",
// its guidance rescale, where the file gives one, as "guidance_rescale_<run>").
GenerateRequest fixture_request(const SafetensorsFile& io, bool cfg, const std::string& run = "") {
  const auto& m = io.metadata();
  auto get = [&](const std::string& k) {
    auto it = m.find(k);
    EXPECT_NE(it, m.end()) << "fixture metadata lacks " << k;
    return it == m.end() ? std::string() : it->second;
  };
  const std::string pre = cfg ? "" : "nocfg_", post = run.empty() ? "" : "_" + run;
  GenerateRequest r;
  r.prompt = get(pre + "prompt");
  r.negative_prompt = get(pre + "negative_prompt");
  r.steps = std::stoi(get(pre + "steps" + post));
  r.guidance_scale = std::stof(get(pre + "guidance"));
  if (m.count(pre + "guidance_rescale" + post))
    r.guidance_rescale = std::stof(get(pre + "guidance_rescale" + post));
  r.seed = std::stoll(get(pre + "seed"));
  r.width = std::stoi(get(pre + "width"));
  r.height = std::stoi(get(pre + "height"));
  r.highlight.enabled = false;  // the reference is the dense pipeline
  return r;
}

// pipeline_a copied to a temporary folder (named after `tag`) with `scheduler_config` as its
// scheduler's config file; the caller removes it.
std::filesystem::path pipeline_a_with_scheduler(const std::string& scheduler_config,
                                                const std::string& tag) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("hd_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::copy(data_dir() / "pipeline_a", dir, std::filesystem::copy_options::recursive);
  std::ofstream(dir / "scheduler" / "scheduler_config.json", std::ios::trunc) << scheduler_config;
  return dir;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { io_ = std::make_unique<SafetensorsFile>(SafetensorsFile::open(data_dir() / "pipeline_a_io.safetensors")); }
  std::unique_ptr<SafetensorsFile> io_;
};

// Initial noise equals torch.randn(shape, generator=torch.Generator().manual_seed(seed)).
TEST_F(PipelineTest, InitialLatentsMatchTorchRandn) {
  auto sd = std::make_shared<SDComponents>(load_diffusers_folder(data_dir() / "pipeline_a", torch::kCPU));
  StableDiffusionPipeline pipe(sd, torch::kCPU);
  GenerateRequest r = fixture_request(*io_, true);
  auto gen = at::detail::createCPUGenerator(static_cast<uint64_t>(r.seed));
  torch::Tensor latents = pipe.prepare_latents(gen, r.height, r.width);
  EXPECT_EQ(max_abs_diff(latents, fixture_tensor(*io_, "init_latents")), 0.0);
}

// Prompt and negative prompt embeddings match the reference text encoder + tokenizer.
TEST_F(PipelineTest, PromptEmbeddingsMatch) {
  torch::NoGradGuard no_grad;
  auto sd = std::make_shared<SDComponents>(load_diffusers_folder(data_dir() / "pipeline_a", torch::kCPU));
  StableDiffusionPipeline pipe(sd, torch::kCPU);
  GenerateRequest r = fixture_request(*io_, true);
  TokenizedText tokens;
  torch::Tensor cond = pipe.encode_prompt(r.prompt, &tokens);
  torch::Tensor ids = torch::tensor(tokens.ids, torch::kLong).unsqueeze(0);
  EXPECT_TRUE(torch::equal(ids, fixture_tensor(*io_, "input_ids")));
  EXPECT_LT(max_abs_diff(cond, fixture_tensor(*io_, "prompt_embeds")), 1e-4);
  EXPECT_LT(max_abs_diff(pipe.encode_prompt(r.negative_prompt), fixture_tensor(*io_, "negative_prompt_embeds")), 1e-4);
}

// DDIM timesteps with steps_offset 1 and "leading" spacing match diffusers.
TEST_F(PipelineTest, TimestepsMatch) {
  auto sd = load_diffusers_folder(data_dir() / "pipeline_a", torch::kCPU);
  DDIMScheduler s(sd.scheduler);
  s.set_timesteps(5);
  torch::Tensor t = torch::tensor(s.timesteps(), torch::kLong);
  EXPECT_TRUE(torch::equal(t, fixture_tensor(*io_, "timesteps")));
}

// Each sampler reports the noise level it takes each step's sample to be at: the training
// schedule's alpha_bar at the step's timestep for DDIM and DPM-Solver++ (up to float32
// sigmas), 1 / (1 + sigma^2) of its own levels on Karras sigmas, which lie off the training
// grid (the rounded timestep's alpha_bar differs).
TEST_F(PipelineTest, SchedulersReportTheSamplesNoiseLevel) {
  auto sd = load_diffusers_folder(data_dir() / "pipeline_a", torch::kCPU);
  const torch::Tensor ac = make_alphas_cumprod(sd.scheduler);
  DDIMScheduler ddim(sd.scheduler);
  DPMSolverMultistepScheduler dpm(sd.scheduler), karras(sd.scheduler, /*karras_sigmas=*/true);
  double off_grid = 0;
  for (Scheduler* s : std::initializer_list<Scheduler*>{&ddim, &dpm, &karras}) {
    s->set_timesteps(12);
    for (size_t i = 0; i < s->timesteps().size(); ++i) {
      const double grid = ac[s->timesteps()[i]].item<double>();
      if (s == &ddim) {
        EXPECT_EQ(s->sample_alpha_bar(i), grid) << i;
      } else if (s == &dpm) {
        EXPECT_NEAR(s->sample_alpha_bar(i), grid, 1e-6 * grid) << i;
      } else {
        const double sigma = karras.sigmas()[i];
        EXPECT_NEAR(s->sample_alpha_bar(i), 1 / (1 + sigma * sigma), 1e-12) << i;
        off_grid = std::max(off_grid, std::abs(s->sample_alpha_bar(i) - grid) / grid);
      }
    }
    EXPECT_THROW(s->sample_alpha_bar(12), Error);
  }
  EXPECT_GT(off_grid, 1e-3);
}

// Through the public API: every step's latents and the final image (1e-3) match, with
// classifier-free guidance and a negative prompt.
TEST_F(PipelineTest, GenerateMatchesDiffusersWithGuidance) {
  Engine engine;
  ASSERT_TRUE(engine.load((data_dir() / "pipeline_a").string()).ok());
  GenerateRequest r = fixture_request(*io_, true);
  std::vector<StepEvent> events;
  GenerateResult result;
  Status st = engine.generate(r, &result, [&](const StepEvent& e) {
    events.push_back(e);
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].timestep, 801);
  EXPECT_EQ(events[4].step, 4);
  EXPECT_EQ(result.seed, r.seed);
  EXPECT_EQ(result.step_ms.size(), 5u);
  EXPECT_LT(max_abs_diff(image_tensor(result.image), fixture_tensor(*io_, "image")), 1e-3);
  EXPECT_EQ(result.image.rgb.size(), static_cast<size_t>(32 * 32 * 3));
}

// guidance 1.0 turns classifier-free guidance off (one UNet pass per step), as diffusers.
TEST_F(PipelineTest, GenerateMatchesDiffusersWithoutGuidance) {
  Engine engine;
  ASSERT_TRUE(engine.load((data_dir() / "pipeline_a").string()).ok());
  GenerateResult result;
  Status st = engine.generate(fixture_request(*io_, false), &result);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_LT(max_abs_diff(image_tensor(result.image), fixture_tensor(*io_, "image_nocfg")), 1e-3);
}

// Reduced-precision UNet arithmetic (EngineOptions::precision): the dense image stays within
// `tol` of diffusers' float32 image, and the Highlight Diffusion run (full and partial steps
// through the 16-bit kernels) within the same distance of its float32 twin.
void expect_precision_follows_float32(const SafetensorsFile& io, Precision precision, double tol) {
  EngineOptions low_options;
  low_options.precision = precision;
  Engine low(low_options), full;
  ASSERT_TRUE(low.load((data_dir() / "pipeline_a").string()).ok());
  ASSERT_TRUE(full.load((data_dir() / "pipeline_a").string()).ok());
  GenerateRequest r = fixture_request(io, true);
  GenerateResult h, f;
  Status st = low.generate(r, &h);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_LT(max_abs_diff(image_tensor(h.image), fixture_tensor(io, "image")), tol);
  r.highlight.enabled = true;
  r.highlight.interval = 2;
  r.highlight.collect_at = 0.2f;
  r.highlight.threshold = 60;
  r.highlight.min_area = 0.0f;
  ASSERT_TRUE((st = low.generate(r, &h)).ok()) << st.message();
  ASSERT_TRUE((st = full.generate(r, &f)).ok()) << st.message();
  EXPECT_GT(h.partial_steps, 0);
  EXPECT_EQ(h.partial_steps, f.partial_steps);
  EXPECT_LT(max_abs_diff(image_tensor(h.image), image_tensor(f.image)), tol);
}

TEST_F(PipelineTest, Float16FollowsFloat32) { expect_precision_follows_float32(*io_, Precision::kFloat16, 2e-2); }

// BFloat16, the CPU's reduced precision (the VAE decoder under bfloat16 autocast too): a
// coarser format, a looser bound.
TEST_F(PipelineTest, BFloat16FollowsFloat32) { expect_precision_follows_float32(*io_, Precision::kBFloat16, 4e-2); }

// The default model's scheduler settings (v-prediction, zero terminal SNR, trailing
// timesteps) with guidance_rescale reproduce diffusers' image; without the rescale the image
// is another one (the option is not a no-op).
TEST_F(PipelineTest, VPredictionZeroSnrWithGuidanceRescaleMatchesDiffusers) {
  const SafetensorsFile golden = SafetensorsFile::open(data_dir() / "pipeline_a_vzsnr.safetensors");
  const auto& m = golden.metadata();
  const std::filesystem::path dir = pipeline_a_with_scheduler(m.at("scheduler_config"), "vzsnr");
  Engine engine;
  Status st = engine.load(dir.string());
  ASSERT_TRUE(st.ok()) << st.message();
  GenerateRequest r = fixture_request(golden, true);
  GenerateResult out;
  ASSERT_TRUE((st = engine.generate(r, &out)).ok()) << st.message();
  const torch::Tensor want = fixture_tensor(golden, "image");
  EXPECT_LT(max_abs_diff(image_tensor(out.image), want), 1e-3);
  r.guidance_rescale = -1;  // automatic: 0.7 on a zero-terminal-SNR schedule
  ASSERT_TRUE((st = engine.generate(r, &out)).ok()) << st.message();
  EXPECT_LT(max_abs_diff(image_tensor(out.image), want), 1e-3);
  r.guidance_rescale = 0;
  ASSERT_TRUE((st = engine.generate(r, &out)).ok()) << st.message();
  EXPECT_GT(max_abs_diff(image_tensor(out.image), want), 1e-2);
  r.guidance_rescale = 1.5f;
  st = engine.generate(r, &out);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("guidance rescale must be between 0 and 1 (negative: automatic), got 1.5"),
            std::string::npos)
      << st.message();
  std::filesystem::remove_all(dir);
}

// DPM-Solver++ (2M) reproduces diffusers' DPMSolverMultistepScheduler images and timesteps
// under three schedules: epsilon with "leading" spacing, the linspace default of a config
// that names no spacing (SD v1.x's), and v-prediction with zero terminal SNR and "trailing"
// spacing (the embedded model's); and on Karras sigmas (use_karras_sigmas) at 8 and 30 steps
// and with zero terminal SNR. Bad scheduler requests fail naming the value.
TEST_F(PipelineTest, DpmSolverMultistepMatchesDiffusers) {
  const SafetensorsFile golden = SafetensorsFile::open(data_dir() / "pipeline_a_dpm.safetensors");
  const auto& m = golden.metadata();
  for (const std::string name :
       {"leading", "linspace", "vzsnr", "karras", "karras30", "karras_vzsnr"}) {
    SCOPED_TRACE(name);
    const std::filesystem::path dir = pipeline_a_with_scheduler(m.at("config_" + name), "dpm");
    Engine engine;
    Status st = engine.load(dir.string());
    ASSERT_TRUE(st.ok()) << st.message();
    GenerateRequest r = fixture_request(golden, true, name);
    r.scheduler = m.at("sampler_" + name);
    std::vector<int64_t> timesteps;
    GenerateResult out;
    st = engine.generate(r, &out, [&](const StepEvent& e) {
      timesteps.push_back(e.timestep);
      return true;
    });
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_TRUE(torch::equal(torch::tensor(timesteps, torch::kLong),
                             fixture_tensor(golden, "timesteps_" + name)));
    EXPECT_LT(max_abs_diff(image_tensor(out.image), fixture_tensor(golden, "image_" + name)), 1e-3);
    if (name == "leading" || name == "karras") {  // another sampler is another image
      r.scheduler = name == "leading" ? "ddim" : "dpm++2m";
      ASSERT_TRUE((st = engine.generate(r, &out)).ok()) << st.message();
      EXPECT_GT(max_abs_diff(image_tensor(out.image), fixture_tensor(golden, "image_" + name)),
                1e-2);
    }
    if (name == "leading") {
      r.scheduler = "dpm++2m";
      r.eta = 0.5f;
      st = engine.generate(r, &out);
      EXPECT_FALSE(st.ok());
      EXPECT_NE(st.message().find("eta 0.5 applies to the ddim scheduler only"), std::string::npos)
          << st.message();
      r.eta = 0;
      r.scheduler = "euler";
      st = engine.generate(r, &out);
      EXPECT_FALSE(st.ok());
      EXPECT_NE(st.message().find(
                    "scheduler 'euler' does not exist (expected ddim, dpm++2m or dpm++2m-karras)"),
                std::string::npos)
          << st.message();
    }
    std::filesystem::remove_all(dir);
  }
}

// The same weights in the CompVis single-file layout give the same image.
TEST_F(PipelineTest, SingleFileCheckpointMatchesFolder) {
  EngineOptions options;
  options.single_file_config = (data_dir() / "pipeline_a").string();
  Engine engine(options);
  Status st = engine.load((data_dir() / "pipeline_a_compvis.safetensors").string());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(engine.info().format, "single-file");
  GenerateResult result;
  st = engine.generate(fixture_request(*io_, true), &result);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_LT(max_abs_diff(image_tensor(result.image), fixture_tensor(*io_, "image")), 1e-3);
}

// A callback returning false stops the run before the next step and reports kCancelled.
TEST_F(PipelineTest, CallbackCancels) {
  Engine engine;
  ASSERT_TRUE(engine.load((data_dir() / "pipeline_a").string()).ok());
  GenerateRequest r = fixture_request(*io_, true);
  r.steps = 10;
  int calls = 0;
  GenerateResult result;
  Status st = engine.generate(r, &result, [&](const StepEvent&) { return ++calls < 3; });
  EXPECT_EQ(st.code(), Status::Code::kCancelled);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(result.step_ms.size(), 3u);
  // The engine stays usable after a cancelled run.
  st = engine.generate(fixture_request(*io_, true), &result);
  EXPECT_TRUE(st.ok()) << st.message();
}

// cancel() from inside a step (as another thread would) stops before the next step.
TEST_F(PipelineTest, CancelFlagStopsBetweenSteps) {
  Engine engine;
  ASSERT_TRUE(engine.load((data_dir() / "pipeline_a").string()).ok());
  GenerateRequest r = fixture_request(*io_, true);
  r.steps = 10;
  GenerateResult result;
  Status st = engine.generate(r, &result, [&](const StepEvent& e) {
    if (e.step == 1) engine.cancel();
    return true;
  });
  EXPECT_EQ(st.code(), Status::Code::kCancelled);
  EXPECT_EQ(result.step_ms.size(), 2u);
}

// Bad requests give a clear status, never a crash, and leave the engine usable.
TEST_F(PipelineTest, BadRequestsAreRejected) {
  Engine engine;
  ASSERT_TRUE(engine.load((data_dir() / "pipeline_a").string()).ok());
  GenerateResult result;
  GenerateRequest r = fixture_request(*io_, true);
  r.width = 33;
  Status st = engine.generate(r, &result);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("multiples of 2"), std::string::npos) << st.message();
  r = fixture_request(*io_, true);
  r.steps = 0;
  st = engine.generate(r, &result);
  EXPECT_NE(st.message().find("steps"), std::string::npos) << st.message();
  EXPECT_TRUE(engine.generate(fixture_request(*io_, true), &result).ok());
}

// A missing model folder is reported as not found, naming the path.
TEST(EngineLoad, MissingFolderIsNotFound) {
  Engine engine;
  Status st = engine.load("/nonexistent/model");
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("/nonexistent/model"), std::string::npos) << st.message();
  EXPECT_FALSE(engine.loaded());
}

}  // namespace
}  // namespace hd
