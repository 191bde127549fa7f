// Each diffusers/transformers module, loaded from a diffusers folder with random weights,
// reproduces the reference outputs saved by tests/fixtures/make_fixtures.py (fp32, 1e-4).
#include <cstdlib>
#include <filesystem>
#include <fstream>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/error.h"
#include "common/host_memory.h"
#include "common/torch_parallel.h"
#include "hd/engine.h"
#include "hd/kernels/cpu_features.h"
#include "io/json_config.h"
#include "io/model_loader.h"
#include "models/attention_processor.h"
#include "models/conv_gemm.h"
#include "models/cpu_attention.h"
#include "models/macs.h"
#include "torch_test_util.h"

namespace hd {
namespace {

using test::data_dir;
using test::fixture_tensor;
using test::max_abs_diff;
namespace fs = std::filesystem;

void check_unet(const std::string& name) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / name);
  SafetensorsFile io = SafetensorsFile::open(data_dir() / (name + "_io.safetensors"));
  torch::Tensor sample = fixture_tensor(io, "sample");
  torch::Tensor t = fixture_tensor(io, "timestep");
  torch::Tensor ctx = fixture_tensor(io, "encoder_hidden_states");
  torch::Tensor out = unet->forward(sample, t, ctx);
  EXPECT_LT(max_abs_diff(out, fixture_tensor(io, "out")), 1e-4) << name;
  EXPECT_GT(fixture_tensor(io, "out").abs().max().item<double>(), 1e-2) << "fixture is trivial";
}

// SD-1-like UNet: attention_head_dim as an int (= heads), layers_per_block 1, conv proj.
// Wide convolutions on small CPU maps run as im2col + GEMM (SD's 1280-channel levels); the
// result equals torch's convolution for SD's kinds: 3x3 padded, 3x3 stride 2, 1x1 shortcut.
TEST(ConvGemm, WideSmallMapsMatchTorchConvolution) {
  torch::NoGradGuard no_grad;
  struct Case {
    int64_t cin, cout, k, stride, pad, hw;
  };
  for (const Case c : {Case{1024, 64, 3, 1, 1, 4}, Case{1280, 32, 3, 2, 1, 8}, Case{1024, 48, 1, 1, 0, 5}}) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(c.cin, c.cout, c.k).stride(c.stride).padding(c.pad));
    conv->weight.set_data(conv->weight.contiguous(at::MemoryFormat::ChannelsLast));
    torch::Tensor x = torch::randn({2, c.cin, c.hw, c.hw}).contiguous(at::MemoryFormat::ChannelsLast);
    const int64_t out = (c.hw + 2 * c.pad - c.k) / c.stride + 1;
    ASSERT_TRUE(prefer_conv_gemm(conv, x, out * out)) << c.cin;
    torch::Tensor ref = torch::conv2d(x, conv->weight, conv->bias, c.stride, c.pad);
    torch::Tensor y = conv_forward(conv, x);
    ASSERT_EQ(y.sizes(), ref.sizes());
    EXPECT_LT(test::max_abs_diff(y, ref), 1e-4 * ref.abs().max().item<double>()) << c.cin << " " << c.k;
  }
  // bfloat16 takes the same route (bf16 GEMM, float accumulation) and stays within bf16's
  // rounding of torch's bfloat16 convolution.
  torch::nn::Conv2d bf(torch::nn::Conv2dOptions(1280, 64, 3).padding(1));
  bf->to(torch::kBFloat16);
  bf->weight.set_data(bf->weight.contiguous(at::MemoryFormat::ChannelsLast));
  torch::Tensor xb = torch::randn({2, 1280, 4, 4}).to(torch::kBFloat16).contiguous(at::MemoryFormat::ChannelsLast);
  ASSERT_TRUE(prefer_conv_gemm(bf, xb, 16));
  torch::Tensor refb = torch::conv2d(xb.to(torch::kFloat32), bf->weight.to(torch::kFloat32), bf->bias.to(torch::kFloat32), 1, 1);
  torch::Tensor yb = conv_forward(bf, xb);
  ASSERT_EQ(yb.scalar_type(), torch::kBFloat16);
  EXPECT_LT(test::max_abs_diff(yb.to(torch::kFloat32), refb), 1e-2 * refb.abs().max().item<double>());
  // Narrow layers and large maps stay with the library's convolution.
  torch::nn::Conv2d narrow(torch::nn::Conv2dOptions(320, 320, 3).padding(1));
  narrow->weight.set_data(narrow->weight.contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(prefer_conv_gemm(narrow, torch::zeros({1, 320, 4, 4}), 16));
  torch::nn::Conv2d wide(torch::nn::Conv2dOptions(1280, 8, 3).padding(1));
  wide->weight.set_data(wide->weight.contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(prefer_conv_gemm(wide, torch::zeros({1, 1280, 32, 32}), 1024));
}

#if defined(__GLIBC__)
// After keep_freed_host_memory, a 96 MiB block (a large UNet activation) comes from the heap,
// not from a fresh mmap (glibc's default above 32 MiB at most), and once freed it stays in the
// process: the next block of its size needs no new memory from the system.
TEST(HostMemory, LargeBlocksAreReusedFromTheHeap) {
  keep_freed_host_memory();
  const size_t bytes = size_t{96} << 20;
  const struct mallinfo2 before = mallinfo2();
  auto* a = static_cast<volatile char*>(std::malloc(bytes));
  ASSERT_NE(a, nullptr);
  a[0] = 1;
  EXPECT_EQ(mallinfo2().hblkhd, before.hblkhd);  // no new mmapped block
  std::free(const_cast<char*>(a));
  const size_t arena = mallinfo2().arena;
  EXPECT_GE(arena, bytes);  // kept, not trimmed
  auto* b = static_cast<volatile char*>(std::malloc(bytes));
  ASSERT_NE(b, nullptr);
  b[0] = 1;
  EXPECT_EQ(mallinfo2().arena, arena);  // served from what was kept
  std::free(const_cast<char*>(b));
}
#endif

// Attention of a few queries against many keys as two GEMMs (the CUDA path of partial steps'
// self-attention) equals the fused kernel: float32 to 1e-5; 16-bit inputs (softmax in float32,
// probabilities cast back) to the format's accuracy, bfloat16 here, float16 through
// scaled_dot_product_attention on CUDA.
TEST(FewQueryAttention, MatchesScaledDotProductAttention) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  torch::Tensor q = torch::randn({2, 8, 37, 40}), k = torch::randn({2, 8, 512, 40}),
                v = torch::randn({2, 8, 512, 40});
  const double scale = 1.0 / std::sqrt(40.0);
  torch::Tensor ref = at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale);
  EXPECT_LT(max_abs_diff(few_query_attention(q, k, v, scale), ref), 1e-5);
  // Strided q (split heads of a [B, L, heads * d] projection), as the transformers pass it.
  torch::Tensor q_strided = q.transpose(1, 2).contiguous().transpose(1, 2);
  EXPECT_LT(max_abs_diff(few_query_attention(q_strided, k, v, scale), ref), 1e-5);
  auto bf = [](const torch::Tensor& t) { return t.to(torch::kBFloat16); };
  torch::Tensor low = few_query_attention(bf(q), bf(k), bf(v), scale);
  EXPECT_EQ(low.scalar_type(), torch::kBFloat16);
  EXPECT_LT(max_abs_diff(low.to(torch::kFloat32), ref), 2e-2);
  if (torch::cuda::is_available()) {
    auto h = [](const torch::Tensor& t) { return t.to(torch::kCUDA, torch::kFloat16); };
    torch::Tensor out =
        scaled_dot_product_attention(h(q), h(k), h(v), scale);  // takes the few-query path
    EXPECT_LT(max_abs_diff(out.to(torch::kCPU, torch::kFloat32), ref), 5e-3);
  }
}

// The engine's attention on CPUs takes the AVX-512 kernel where it applies (inference, float32
// or bfloat16) and agrees with libtorch's; under autograd it stays with libtorch's.
TEST(CpuAttention, TakesTheKernelForInferenceAndMatchesLibtorch) {
  torch::manual_seed(6);
  torch::Tensor q = torch::randn({2, 77, 8, 40}).transpose(1, 2);  // split heads, strided
  torch::Tensor k = torch::randn({2, 8, 300, 40}), v = torch::randn({2, 8, 300, 40});
  const double scale = 1.0 / std::sqrt(40.0);
  torch::Tensor ref = at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale);
  {
    torch::NoGradGuard no_grad;
    if (cpu_attention_applies(q, k, v)) {
      torch::Tensor out = scaled_dot_product_attention(q, k, v, scale);
      EXPECT_LT(max_abs_diff(out, ref), 1e-5);
      EXPECT_TRUE(out.transpose(1, 2).is_contiguous());  // heads merge as a view
    } else {
      GTEST_SKIP() << "no AVX-512 on this CPU (or HD_CPU_ATTENTION=0)";
    }
  }
  EXPECT_FALSE(cpu_attention_applies(q, k, v));  // autograd on: libtorch's kernel
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(
      cpu_attention_applies(q.to(torch::kFloat64), k.to(torch::kFloat64), v.to(torch::kFloat64)));
  EXPECT_FALSE(cpu_attention_applies(q, k.slice(1, 0, 4), v.slice(1, 0, 4)));  // heads differ
  // bfloat16 takes the kernel on CPUs without AMX; with AMX, libtorch's attention on the tiles.
  const auto bf16 = [](const torch::Tensor& t) { return t.to(torch::kBFloat16); };
  EXPECT_EQ(cpu_attention_applies(bf16(q), bf16(k), bf16(v)), !kernels::cpu_has_amx_bf16());
}

// Reports name the CPU as Linux does (the brand string) and the extensions that pick the
// kernels: AVX-512, and AMX-BF16 exactly where Linux lists amx_bf16.
TEST(CpuDescription, NamesTheCpuAndItsExtensionsAsLinuxDoes) {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model, flags;
  while (std::getline(in, line)) {
    const auto value = [&] { return line.substr(line.find(':') + 2); };
    if (model.empty() && line.rfind("model name", 0) == 0) model = value();
    if (flags.empty() && line.rfind("flags", 0) == 0) flags = value();
  }
  if (model.empty() || flags.empty()) GTEST_SKIP() << "no x86 /proc/cpuinfo";
  flags.insert(flags.begin(), ' ');  // every flag between spaces
  flags.push_back(' ');
  const std::string d = cpu_description();
  EXPECT_EQ(d.rfind(model + " (", 0), 0u) << d;
  EXPECT_EQ(d.find("AVX-512") != std::string::npos, flags.find(" avx512f ") != std::string::npos)
      << d;
  EXPECT_EQ(d.find("AMX-BF16") != std::string::npos, flags.find(" amx_bf16 ") != std::string::npos)
      << d;
}

// The engine's parallel loops (tile gathers and scatters, CPU attention) run on libtorch's
// threads: compiled without OpenMP, at::parallel_for runs everything on the calling thread.
TEST(TorchParallel, UsesLibtorchsThreads) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  EXPECT_EQ(torch_parallel_threads_used(16), 2);
  at::set_num_threads(1);
  EXPECT_EQ(torch_parallel_threads_used(16), 1);
  at::set_num_threads(before);
}

TEST(UNet2DConditionModel, MatchesDiffusersConfigA) { check_unet("unet_a"); }

// Three levels, attention_head_dim as a list, layers_per_block 2, linear projections,
// a fractional timestep and a non-square latent.
TEST(UNet2DConditionModel, MatchesDiffusersConfigB) { check_unet("unet_b"); }

// The sinusoidal embedding and time MLP match diffusers' Timesteps/TimestepEmbedding.
TEST(UNet2DConditionModel, TimestepEmbeddingMatches) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / "unet_a");
  SafetensorsFile io = SafetensorsFile::open(data_dir() / "unet_a_io.safetensors");
  const auto& c = unet->config();
  torch::Tensor proj = get_timestep_embedding(fixture_tensor(io, "timestep"), c.block_out_channels[0],
                                              c.flip_sin_to_cos, c.freq_shift);
  EXPECT_LT(max_abs_diff(proj, fixture_tensor(io, "time_proj_out")), 1e-5);
  EXPECT_LT(max_abs_diff(unet->time_embedding->forward(proj), fixture_tensor(io, "time_emb")), 1e-5);
}

// CLIPTextModel's last hidden state (after final_layer_norm) matches transformers.
TEST(CLIPTextModel, MatchesTransformers) {
  torch::NoGradGuard no_grad;
  CLIPTextModel te = load_text_encoder(data_dir() / "text_encoder_a");
  SafetensorsFile io = SafetensorsFile::open(data_dir() / "text_encoder_a_io.safetensors");
  torch::Tensor out = te->forward(fixture_tensor(io, "input_ids"));
  EXPECT_LT(max_abs_diff(out, fixture_tensor(io, "last_hidden_state")), 1e-4);
}

// AutoencoderKL encode (posterior mean, log-variance) and decode match diffusers.
TEST(AutoencoderKL, EncodeDecodeMatchDiffusers) {
  torch::NoGradGuard no_grad;
  AutoencoderKL vae = load_vae(data_dir() / "vae_a");
  SafetensorsFile io = SafetensorsFile::open(data_dir() / "vae_a_io.safetensors");
  auto posterior = vae->encode(fixture_tensor(io, "image"));
  EXPECT_LT(max_abs_diff(posterior.mean, fixture_tensor(io, "posterior_mean")), 1e-4);
  EXPECT_LT(max_abs_diff(posterior.logvar, fixture_tensor(io, "posterior_logvar")), 1e-4);
  EXPECT_LT(max_abs_diff(vae->decode(fixture_tensor(io, "latents")), fixture_tensor(io, "decoded")), 1e-4);
  EXPECT_EQ(vae->scale_factor(), 2);
}

// fp16 weights are converted to fp32 on load and give the reference's fp32 result.
TEST(AutoencoderKL, LoadsFloat16Weights) {
  torch::NoGradGuard no_grad;
  LoadReport report;
  AutoencoderKL vae = load_vae(data_dir() / "vae_a_fp16", &report);
  EXPECT_EQ(report.dtype, "F16");
  EXPECT_EQ(vae->decoder->conv_in->weight.dtype(), torch::kFloat32);
  SafetensorsFile io = SafetensorsFile::open(data_dir() / "vae_a_fp16_io.safetensors");
  EXPECT_LT(max_abs_diff(vae->decode(fixture_tensor(io, "latents")), fixture_tensor(io, "decoded_from_fp16")), 1e-4);
}

// A scratch copy of a fixture folder that a test may damage.
class ScratchCopy {
 public:
  explicit ScratchCopy(const std::string& name) {
    dir_ = fs::temp_directory_path() / ("hd_test_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::copy(data_dir() / name, dir_, fs::copy_options::recursive);
  }
  ~ScratchCopy() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }
  void rewrite_config(const std::function<void(nlohmann::json&)>& edit) const {
    nlohmann::json j = JsonConfig::load(dir_ / "config.json").raw();
    edit(j);
    std::ofstream(dir_ / "config.json") << j.dump(2);
  }

 private:
  fs::path dir_;
};

std::string load_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Weights that do not fit the config name the key and both shapes.
TEST(LoadWeights, ShapeMismatchNamesKeyAndShapes) {
  ScratchCopy copy("unet_a");
  copy.rewrite_config([](nlohmann::json& j) { j["cross_attention_dim"] = 24; });
  const std::string msg = load_error([&] { load_unet(copy.dir()); });
  EXPECT_NE(msg.find("attn2.to_k.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[16,16]"), std::string::npos) << msg;  // in the file (inner 16 x ctx 16)
  EXPECT_NE(msg.find("[16,24]"), std::string::npos) << msg;  // expected by the config
}

// A config with more layers than the weights reports the missing keys by name.
TEST(LoadWeights, MissingKeysAreNamed) {
  ScratchCopy copy("unet_a");
  copy.rewrite_config([](nlohmann::json& j) { j["layers_per_block"] = 2; });
  const std::string msg = load_error([&] { load_unet(copy.dir()); });
  EXPECT_NE(msg.find("missing key(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("down_blocks.0.resnets.1."), std::string::npos) << msg;
}

// Weights with keys the config does not have report them as unexpected.
TEST(LoadWeights, UnexpectedKeysAreNamed) {
  ScratchCopy copy("unet_b");
  copy.rewrite_config([](nlohmann::json& j) {
    j["down_block_types"] = {"CrossAttnDownBlock2D", "DownBlock2D", "DownBlock2D"};
  });
  const std::string msg = load_error([&] { load_unet(copy.dir()); });
  EXPECT_NE(msg.find("unexpected key(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("down_blocks.1.attentions.0"), std::string::npos) << msg;
}

// A component folder without config.json names the file.
TEST(LoadWeights, MissingConfigIsNamed) {
  ScratchCopy copy("vae_a");
  fs::remove(copy.dir() / "config.json");
  const std::string msg = load_error([&] { load_vae(copy.dir()); });
  EXPECT_NE(msg.find("config.json"), std::string::npos) << msg;
}

// Pickled .bin weights are refused with advice instead of being executed.
TEST(LoadWeights, PickleWeightsAreRefused) {
  ScratchCopy copy("vae_a");
  fs::rename(copy.dir() / "diffusion_pytorch_model.safetensors", copy.dir() / "diffusion_pytorch_model.bin");
  const std::string msg = load_error([&] { load_vae(copy.dir()); });
  EXPECT_NE(msg.find("pickled"), std::string::npos) << msg;
}

// Unknown block types are refused by name, as diffusers' factories do.
TEST(UNet2DConditionConfig, UnknownBlockTypeIsRefused) {
  ScratchCopy copy("unet_a");
  copy.rewrite_config([](nlohmann::json& j) { j["down_block_types"][0] = "SimpleCrossAttnDownBlock2D"; });
  const std::string msg = load_error([&] { load_unet(copy.dir()); });
  EXPECT_NE(msg.find("SimpleCrossAttnDownBlock2D does not exist"), std::string::npos) << msg;
}

// Options that change the architecture in unsupported ways are refused by key.
TEST(UNet2DConditionConfig, UnsupportedOptionIsRefused) {
  ScratchCopy copy("unet_a");
  copy.rewrite_config([](nlohmann::json& j) { j["class_embed_type"] = "timestep"; });
  const std::string msg = load_error([&] { load_unet(copy.dir()); });
  EXPECT_NE(msg.find("class_embed_type"), std::string::npos) << msg;
}

// Per-channel latents_mean / latents_std follow diffusers' SDXL pipeline convention:
// decode input = latents * std / scaling_factor + mean, and encoding inverts it.
TEST(AutoencoderKL, PerChannelLatentStatisticsFollowDiffusers) {
  ScratchCopy copy("vae_a");
  copy.rewrite_config([](nlohmann::json& j) {
    j["scaling_factor"] = 0.5;
    j["latents_mean"] = {1.0, -2.0, 0.0, 3.0};
    j["latents_std"] = {4.0, 0.5, 1.0, 2.0};
  });
  AutoencoderKL vae = load_vae(copy.dir());
  torch::Tensor latents = torch::full({1, 4, 2, 2}, 2.0f);
  torch::Tensor z = vae->from_diffusion_latents(latents);
  // 2 * std / 0.5 + mean = 4 * std + mean
  EXPECT_FLOAT_EQ(z[0][0][0][0].item<float>(), 17.0f);
  EXPECT_FLOAT_EQ(z[0][1][1][1].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(z[0][2][0][1].item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(z[0][3][1][0].item<float>(), 11.0f);
  EXPECT_LT(max_abs_diff(vae->to_diffusion_latents(z), latents), 1e-6);
}

// Without statistics the SD convention holds: latents / scaling_factor + shift_factor.
TEST(AutoencoderKL, ScalarScalingAndShift) {
  ScratchCopy copy("vae_a");
  copy.rewrite_config([](nlohmann::json& j) {
    j["scaling_factor"] = 0.25;
    j["shift_factor"] = 1.5;
  });
  AutoencoderKL vae = load_vae(copy.dir());
  torch::Tensor z = vae->from_diffusion_latents(torch::full({1, 4, 1, 1}, 1.0f));
  EXPECT_FLOAT_EQ(z[0][2][0][0].item<float>(), 5.5f);
}

// Inconsistent statistics are refused naming the key.
TEST(AutoencoderKL, BadLatentStatisticsAreNamed) {
  ScratchCopy copy("vae_a");
  copy.rewrite_config([](nlohmann::json& j) { j["latents_mean"] = {0.0, 0.0, 0.0, 0.0}; });
  std::string msg = load_error([&] { load_vae(copy.dir()); });
  EXPECT_NE(msg.find("latents_mean and latents_std must be given together"), std::string::npos) << msg;
  copy.rewrite_config([](nlohmann::json& j) { j["latents_std"] = {1.0, 1.0}; });
  msg = load_error([&] { load_vae(copy.dir()); });
  EXPECT_NE(msg.find("latents_std has 2 entries but latent_channels is 4"), std::string::npos) << msg;
  copy.rewrite_config([](nlohmann::json& j) { j["latents_std"] = {1.0, 0.0, 1.0, 1.0}; });
  msg = load_error([&] { load_vae(copy.dir()); });
  EXPECT_NE(msg.find("latents_std entries must be positive"), std::string::npos) << msg;
}

}  // namespace
}  // namespace hd

namespace hd {
namespace {

// Rewrites every tensor of `src` into `dst` with `convert` choosing dtype and bytes.
void rewrite_weights(const fs::path& src, const fs::path& dst,
                     const std::function<void(const TensorView&, SafetensorsWriter&)>& convert) {
  SafetensorsFile in = SafetensorsFile::open(src);
  SafetensorsWriter out;
  for (const TensorView& v : in.tensors()) convert(v, out);
  out.write(dst);
}

// bf16 weights load (converted to fp32) and decode within bf16's precision of the fp32 result.
TEST(LoadWeights, LoadsBFloat16Weights) {
  ScratchCopy copy("vae_a");
  const fs::path file = copy.dir() / "diffusion_pytorch_model.safetensors";
  rewrite_weights(data_dir() / "vae_a" / "diffusion_pytorch_model.safetensors", file,
                  [](const TensorView& v, SafetensorsWriter& w) {
                    torch::Tensor t = torch::tensor(to_float32(v)).to(torch::kBFloat16).contiguous();
                    w.add(v.name, DType::kBF16, v.shape, t.data_ptr(), t.numel() * 2);
                  });
  torch::NoGradGuard no_grad;
  LoadReport report;
  AutoencoderKL vae = load_vae(copy.dir(), &report);
  EXPECT_EQ(report.dtype, "BF16");
  SafetensorsFile io = SafetensorsFile::open(data_dir() / "vae_a_io.safetensors");
  const double err = max_abs_diff(vae->decode(fixture_tensor(io, "latents")), fixture_tensor(io, "decoded"));
  EXPECT_LT(err, 0.1);   // bf16 keeps 8 bits of mantissa
  EXPECT_GT(err, 1e-6);  // and the weights really were rounded
}

// A weight stored with a dtype that cannot hold weights (int8) is named with its key.
TEST(LoadWeights, WrongDtypeIsNamed) {
  ScratchCopy copy("vae_a");
  const fs::path file = copy.dir() / "diffusion_pytorch_model.safetensors";
  rewrite_weights(data_dir() / "vae_a" / "diffusion_pytorch_model.safetensors", file,
                  [](const TensorView& v, SafetensorsWriter& w) {
                    if (v.name == "decoder.conv_in.bias") {
                      std::vector<int8_t> bytes(static_cast<size_t>(v.numel()), 1);
                      w.add(v.name, DType::kI8, v.shape, bytes.data(), bytes.size());
                    } else {
                      w.add(v.name, v.dtype, v.shape, v.data, v.nbytes);
                    }
                  });
  const std::string msg = load_error([&] { load_vae(copy.dir()); });
  EXPECT_NE(msg.find("decoder.conv_in.bias"), std::string::npos) << msg;
  EXPECT_NE(msg.find("I8"), std::string::npos) << msg;
}

}  // namespace
}  // namespace hd
