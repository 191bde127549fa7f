// The sparse engine against the dense UNet: full passes equal dense passes, an all-ones mask
// makes partial passes equal dense ones, and with a partial mask every pixel outside the
// active tiles keeps its cached value while active tiles follow the SIGE semantics exactly.
#include <filesystem>
#include <fstream>
#include <set>

#include "highlight/mac_prediction.h"
#include "io/model_loader.h"
#include "models/macs.h"
#include "sparse/op_trace.h"
#include "sparse/part_profile.h"
#include "sparse/sparse_ops.h"
#include "sparse/sparse_unet.h"
#include "torch_test_util.h"

namespace hd {
namespace {

using test::data_dir;
using test::max_abs_diff;

using Inputs = test::UNetInputs;

Inputs fixture_inputs(const std::string& name) { return test::unet_fixture_inputs(name); }

ByteMask make_mask(int64_t h, int64_t w, int y0, int y1, int x0, int x1) {
  ByteMask m;
  m.width = static_cast<int>(w);
  m.height = static_cast<int>(h);
  m.data.assign(static_cast<size_t>(h * w), 0);
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) m.data[y * w + x] = 255;
  }
  return m;
}

// Pixels of level 0 outside its active tiles: [H, W] bool.
torch::Tensor inactive_pixels(const LevelGeometry& g) {
  torch::Tensor on = torch::zeros({g.height, g.width}, torch::kBool);
  for (int64_t i = 0; i < g.count(); ++i) {
    on.slice(0, g.ys[i], g.ys[i] + g.block).slice(1, g.xs[i], g.xs[i] + g.block).fill_(true);
  }
  return ~on;
}

// The partial mask the tests share: rows 2..6, columns 3..8 of the latents, as `unet`'s tile
// geometry.
SparseGeometry partial_geometry(const Inputs& in, const SparseUNet& unet) {
  return make_sparse_geometry(make_mask(in.sample.size(2), in.sample.size(3), 2, 7, 3, 9),
                              unet.levels());
}

class SparseUNetTest : public ::testing::TestWithParam<std::string> {};

// A full pass (dense compute + caches) gives the dense UNet's output.
TEST_P(SparseUNetTest, FullPassEqualsDense) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / GetParam());
  Inputs in = fixture_inputs(GetParam());
  SparseUNet sparse(unet);
  EXPECT_LT(max_abs_diff(sparse.forward_full(in.sample, in.t, in.ctx), unet->forward(in.sample, in.t, in.ctx)), 1e-5);
}

// With every tile active, a partial pass on the full pass's inputs is the dense UNet (1e-4),
// and it costs the dense MACs: run as whole maps (the default for fully active levels) and
// run as tiles.
TEST_P(SparseUNetTest, AllOnesMaskEqualsDense) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / GetParam());
  Inputs in = fixture_inputs(GetParam());
  const torch::Tensor dense = unet->forward(in.sample, in.t, in.ctx);
  for (bool whole_maps : {true, false}) {
    SCOPED_TRACE(whole_maps ? "whole maps" : "tiles");
    SparseUNet sparse(unet);
    MacCount full_macs, partial_macs;
    {
      MacScope scope;
      sparse.forward_full(in.sample, in.t, in.ctx);
      full_macs = scope.count();
    }
    const int64_t H = in.sample.size(2), W = in.sample.size(3);
    TileOptions tiles;
    tiles.whole_maps = whole_maps;
    SparseGeometry geo = make_sparse_geometry(make_mask(H, W, 0, H, 0, W), sparse.levels(), tiles);
    EXPECT_EQ(geo.active_tiles(), geo.total_tiles());
    for (const auto& g : geo.levels) EXPECT_EQ(g.all_active(), whole_maps);
    torch::Tensor out;
    {
      MacScope scope;
      out = sparse.forward_partial(in.sample, in.t, in.ctx, geo).clone();
      partial_macs = scope.count();
    }
    EXPECT_LT(max_abs_diff(out, dense), 1e-4);
    EXPECT_EQ(partial_macs.conv, full_macs.conv);
    EXPECT_EQ(partial_macs.attention, full_macs.attention);
    // A dry pass (the mask's MAC prediction) counts the same.
    EXPECT_EQ(predict_macs(sparse, geo, in.sample, in.t, in.ctx, 1.0).partial,
              static_cast<double>(partial_macs.total()));
  }
}

// With a partial mask, a partial pass at another timestep and input leaves every inactive
// output pixel exactly at the cached value, changes the active ones, and costs fewer MACs.
TEST_P(SparseUNetTest, PartialMaskKeepsInactivePixelsCached) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / GetParam());
  Inputs in = fixture_inputs(GetParam());
  SparseUNet sparse(unet);
  MacCount full_macs, partial_macs;
  torch::Tensor cached;
  {
    MacScope scope;
    cached = sparse.forward_full(in.sample, in.t, in.ctx).clone();
    full_macs = scope.count();
  }
  SparseGeometry geo = partial_geometry(in, sparse);
  ASSERT_LT(geo.active_tiles(), geo.total_tiles());
  torch::Tensor sample2 = in.sample + 0.5 * torch::randn_like(in.sample);
  torch::Tensor out;
  {
    MacScope scope;
    out = sparse.forward_partial(sample2, in.t * 0.5, in.ctx, geo).clone();
    partial_macs = scope.count();
  }
  torch::Tensor inactive = inactive_pixels(geo.levels[0]).expand_as(out);
  EXPECT_TRUE(torch::equal(out.masked_select(inactive), cached.masked_select(inactive)));
  EXPECT_GT(max_abs_diff(out.masked_select(~inactive), cached.masked_select(~inactive)), 1e-3);
  EXPECT_LT(partial_macs.total(), full_macs.total());
}

// A second full pass with inputs of the same shapes refills the caches in place (what keeps
// a captured CUDA graph of partial passes valid): the output cache keeps its storage, the
// cache generation stays, and a partial pass then gives what a fresh UNet gives after one full
// pass on the second inputs (every cache was refilled, none kept a value of the first pass).
TEST_P(SparseUNetTest, FullPassesRefillCachesInPlace) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / GetParam());
  Inputs in = fixture_inputs(GetParam());
  SparseUNet reused(unet), fresh(unet);
  SparseGeometry geo = partial_geometry(in, reused);
  torch::Tensor out1 = reused.forward_full(in.sample, in.t, in.ctx);
  const void* storage = out1.data_ptr();
  const int64_t generation = reused.cache_generation();
  reused.forward_partial(in.sample - 0.3, in.t * 0.7, in.ctx, geo);
  torch::Tensor sample2 = in.sample + 0.5 * torch::randn_like(in.sample);
  torch::Tensor ctx2 = in.ctx + 0.1 * torch::randn_like(in.ctx);
  torch::Tensor out2 = reused.forward_full(sample2, in.t * 0.5, ctx2);
  EXPECT_EQ(out2.data_ptr(), storage);
  EXPECT_EQ(reused.cache_generation(), generation);
  EXPECT_TRUE(torch::equal(out2, fresh.forward_full(sample2, in.t * 0.5, ctx2)));
  torch::Tensor sample3 = sample2 + 0.2 * torch::randn_like(in.sample);
  EXPECT_TRUE(torch::equal(reused.forward_partial(sample3, in.t * 0.4, ctx2, geo),
                           fresh.forward_partial(sample3, in.t * 0.4, ctx2, geo)));
  // Other shapes allocate anew: a new generation.
  reused.forward_full(torch::cat({sample2, sample2}), in.t, torch::cat({ctx2, ctx2}));
  EXPECT_GT(reused.cache_generation(), generation);
}

// The denoiser's MAC prediction (a dry partial pass on the live UNet after its full pass, with
// the full pass's counted MACs) equals the scratch prediction (dry full + partial passes), and
// the dry pass leaves the caches as they were: a real partial pass afterwards is unchanged.
TEST_P(SparseUNetTest, MacPredictionOnLiveCachesMatchesScratch) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / GetParam());
  Inputs in = fixture_inputs(GetParam());
  SparseUNet live(unet), untouched(unet);
  SparseGeometry geo = partial_geometry(in, live);
  MacCount full;
  {
    MacScope scope;
    live.forward_full(in.sample, in.t, in.ctx);
    full = scope.count();
  }
  untouched.forward_full(in.sample, in.t, in.ctx);
  const MacPrediction scratch = predict_macs(unet, geo, in.sample.sizes(), in.ctx.sizes());
  const MacPrediction p =
      predict_macs(live, geo, in.sample, in.t, in.ctx, static_cast<double>(full.total()));
  EXPECT_EQ(p.dense, scratch.dense);
  EXPECT_EQ(p.partial, scratch.partial);
  EXPECT_GT(p.partial, 0);
  EXPECT_LT(p.fraction(), 1.0);
  torch::Tensor sample2 = in.sample + 0.5 * torch::randn_like(in.sample);
  EXPECT_TRUE(torch::equal(live.forward_partial(sample2, in.t * 0.5, in.ctx, geo),
                           untouched.forward_partial(sample2, in.t * 0.5, in.ctx, geo)));
}

// Reduced precision: the sparse UNet's full pass follows the float32 dense UNet to the
// format's accuracy (`tol`, relative to the output's largest magnitude), a partial pass with
// every tile active follows the full pass, and a partial mask keeps inactive pixels
// bit-exactly cached (the kernels' 16-bit storage through the engine).
void expect_reduced_precision_follows_float(const std::string& fixture, torch::ScalarType dtype, double tol) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / fixture);
  Inputs in = fixture_inputs(fixture);
  torch::Tensor ref = unet->forward(in.sample, in.t, in.ctx);
  UNet2DConditionModel low = load_unet(data_dir() / fixture);
  low->to(dtype);
  SparseUNet sparse(low);
  torch::Tensor x = in.sample.to(dtype), ctx = in.ctx.to(dtype);
  torch::Tensor full = sparse.forward_full(x, in.t, ctx).clone();
  ASSERT_EQ(full.scalar_type(), dtype);
  const double scale = ref.abs().max().item<double>();
  EXPECT_LT(max_abs_diff(full.to(torch::kFloat32), ref), tol * scale);
  const int64_t H = in.sample.size(2), W = in.sample.size(3);
  SparseGeometry all = make_sparse_geometry(make_mask(H, W, 0, H, 0, W), sparse.levels());
  torch::Tensor again = sparse.forward_partial(x, in.t, ctx, all).to(torch::kFloat32);
  EXPECT_LT(max_abs_diff(again, full.to(torch::kFloat32)), tol / 2 * scale);
  sparse.forward_full(x, in.t, ctx);
  SparseGeometry geo = partial_geometry(in, sparse);
  torch::Tensor cached = sparse.forward_full(x, in.t, ctx).clone();
  torch::Tensor out = sparse.forward_partial((in.sample + 0.5).to(dtype), in.t * 0.5, ctx, geo).clone();
  torch::Tensor inactive = inactive_pixels(geo.levels[0]).expand_as(out);
  EXPECT_TRUE(torch::equal(out.masked_select(inactive), cached.masked_select(inactive)));
  EXPECT_GT(max_abs_diff(out.masked_select(~inactive).to(torch::kFloat32),
                         cached.masked_select(~inactive).to(torch::kFloat32)), 1e-3);
}

// Float16: CUDA's fast path (the CPU runs it too, slowly).
TEST_P(SparseUNetTest, HalfPrecisionFollowsFloat) {
  expect_reduced_precision_follows_float(GetParam(), torch::kHalf, 0.02);
}

// BFloat16: the CPU's fast path (8-bit mantissa: a looser bound than float16's).
TEST_P(SparseUNetTest, BFloat16FollowsFloat) {
  expect_reduced_precision_follows_float(GetParam(), torch::kBFloat16, 0.05);
}

// hd bench's per-part table: under a PartProfile the parts of a full and of a partial pass
// account for every MAC of the pass exactly once (nested parts are exclusive), and name the
// UNet's levels and layer kinds.
TEST_P(SparseUNetTest, PartProfileAccountsForEveryMac) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / GetParam());
  Inputs in = fixture_inputs(GetParam());
  SparseUNet sparse(unet);
  SparseGeometry geo = partial_geometry(in, sparse);
  for (bool partial : {false, true}) {
    MacScope scope;
    PartProfile profile;
    if (partial) {
      sparse.forward_partial(in.sample, in.t, in.ctx, geo);
    } else {
      sparse.forward_full(in.sample, in.t, in.ctx);
    }
    int64_t sum = 0;
    std::set<std::string> names;
    for (const auto& p : profile.parts()) {
      sum += p.macs;
      names.insert(p.name);
      EXPECT_GT(p.calls, 0) << p.name;
      EXPECT_GE(p.ms, 0.0) << p.name;
    }
    EXPECT_EQ(sum, scope.count().total()) << (partial ? "partial" : "full");
    EXPECT_TRUE(names.count("L0 resnet")) << "L0 resnet";
    EXPECT_TRUE(names.count("conv_out")) << "conv_out";
    EXPECT_TRUE(names.count("L1 cross-attention") || names.count("L0 cross-attention")) << "cross-attention";
    EXPECT_EQ(names.count("L0 tile gather/scatter"), partial ? 1u : 0u);
  }
}

// The full pass normalises with ATen's fused GroupNorm and keeps its affine form for partial
// steps: both equal torch's GroupNorm, for channels-last, contiguous and strided maps and for
// tokens, and the normalised map keeps the input's layout; on a GPU too (ATen's CUDA kernel
// takes NCHW maps only: channels-last ones stopped every CUDA generation).
TEST(GroupNormAffine, FusedOutputAndAffineFormEqualGroupNorm) {
  std::vector<torch::Device> devices = {torch::kCPU};
  if (torch::cuda::is_available()) devices.emplace_back(torch::kCUDA);
  for (const torch::Device& device : devices) {
    SCOPED_TRACE(device.str());
    torch::nn::GroupNorm norm(torch::nn::GroupNormOptions(4, 16).eps(1e-5));
    torch::nn::init::normal_(norm->weight);
    torch::nn::init::normal_(norm->bias);
    norm->to(device);
    for (auto x : {torch::randn({2, 16, 6, 5}) * 3 + 1,
                   torch::randn({2, 16, 6, 5}).contiguous(kSparseFormat),
                   torch::randn({2, 16, 6, 10}).slice(3, 0, 10, 2), torch::randn({2, 16, 7})}) {
      torch::NoGradGuard no_grad;
      x = x.to(device);
      torch::Tensor ref = norm->forward(x);
      NormAffine gn = group_norm_affine(x, norm);
      EXPECT_LT(max_abs_diff(gn.normed, ref), 1e-5);
      EXPECT_LT(max_abs_diff(apply_affine(x, gn.scale, gn.shift), ref), 1e-5);
      EXPECT_EQ(gn.scale.sizes(), (std::vector<int64_t>{2, 16}));
      EXPECT_TRUE(gn.normed.is_contiguous(x.suggest_memory_format()));
    }
  }
}

// Nested timers: the outer part keeps only its own MACs; without a profile nothing is kept.
TEST(PartProfile, NestedPartsAreExclusive) {
  torch::nn::Conv2d a(torch::nn::Conv2dOptions(2, 3, 3)), b(torch::nn::Conv2dOptions(3, 4, 1));
  torch::Tensor x = torch::randn({1, 2, 6, 6});
  { PartTimer ignored("nothing");  // no profile: a no-op
    conv_forward(a, x); }
  MacScope scope;
  PartProfile profile;
  {
    PartTimer outer("outer");
    torch::Tensor y = conv_forward(a, x);  // 3*4*4 outputs * 2*9 = 864 MACs
    {
      PartTimer inner("inner", 2);
      conv_forward(b, y);  // 4*4*4 * 3 = 192 MACs
    }
  }
  ASSERT_EQ(profile.parts().size(), 2u);
  EXPECT_EQ(profile.parts()[0].name, "outer");
  EXPECT_EQ(profile.parts()[0].macs, 864);
  EXPECT_EQ(profile.parts()[1].name, "L2 inner");
  EXPECT_EQ(profile.parts()[1].macs, 192);
  EXPECT_EQ(profile.parts()[1].calls, 1);
}

// hd bench's operator trace: every ATen operator call is counted once, by name; operators
// nested in another (matmul -> mm) count as calls but not as top-level calls, and a parent's
// self time excludes them; the Chrome trace is written; a failing traced function leaves no
// profiler running.
TEST(OpTrace, CountsOperatorsByNameAndNesting) {
  torch::Tensor a = torch::randn({64, 64}), b = torch::randn({64, 64});
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "hd_test_op_trace.json";
  std::filesystem::remove(path);
  OpTrace tr = trace_ops(
      [&] {
        for (int i = 0; i < 3; ++i) a.add(b);
        torch::matmul(a, b);
      },
      /*cuda=*/false, path.string());
  std::map<std::string, OpStat> by_name;
  double self_sum = 0;
  for (const auto& op : tr.operators) {
    by_name[op.name] = op;
    self_sum += op.self_ms;
  }
  ASSERT_TRUE(by_name.count("aten::add"));
  ASSERT_TRUE(by_name.count("aten::matmul"));
  ASSERT_TRUE(by_name.count("aten::mm"));
  EXPECT_EQ(by_name["aten::add"].calls, 3);
  EXPECT_EQ(by_name["aten::matmul"].calls, 1);
  EXPECT_EQ(by_name["aten::mm"].calls, 1);
  EXPECT_EQ(tr.top_level_calls, 4);  // three adds and the matmul
  EXPECT_GE(tr.operator_calls, 5);
  EXPECT_LE(self_sum, tr.wall_ms * 1.01 + 0.01);
  EXPECT_EQ(tr.kernel_launches, 0);
  for (size_t i = 1; i < tr.operators.size(); ++i)
    EXPECT_GE(tr.operators[i - 1].self_ms, tr.operators[i].self_ms);
  std::ifstream f(path);
  const std::string json((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("traceEvents"), std::string::npos);
  EXPECT_NE(json.find("aten::matmul"), std::string::npos);
  std::filesystem::remove(path);

  EXPECT_THROW(trace_ops([] { throw std::runtime_error("inside"); }, false), std::runtime_error);
  OpTrace again = trace_ops([&] { a.add(b); }, false);  // the failed trace stopped its profiler
  EXPECT_EQ(again.top_level_calls, 1);
}

// On a GPU (the CUDA gather/scatter kernels inside the network, cuDNN convolutions without
// TF32), a full pass and a partial pass with a partial mask give the CPU's outputs.
TEST_P(SparseUNetTest, CudaFollowsCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::NoGradGuard no_grad;
  struct NoTf32 {
    bool was = at::globalContext().allowTF32CuDNN();
    NoTf32() { at::globalContext().setAllowTF32CuDNN(false); }
    ~NoTf32() { at::globalContext().setAllowTF32CuDNN(was); }
  } no_tf32;
  UNet2DConditionModel cpu_unet = load_unet(data_dir() / GetParam());
  UNet2DConditionModel gpu_unet = load_unet(data_dir() / GetParam());
  gpu_unet->to(torch::kCUDA);
  SparseUNet cpu(cpu_unet), gpu(gpu_unet);
  Inputs in = fixture_inputs(GetParam());
  const torch::Device cuda(torch::kCUDA);
  const torch::Tensor full = cpu.forward_full(in.sample, in.t, in.ctx).clone();
  const double scale = full.abs().max().item<double>();
  EXPECT_LT(max_abs_diff(gpu.forward_full(in.sample.to(cuda), in.t.to(cuda), in.ctx.to(cuda)).cpu(),
                         full),
            1e-4 * scale);
  SparseGeometry geo = partial_geometry(in, cpu);
  torch::Tensor sample2 = in.sample + 0.5 * torch::randn_like(in.sample);
  torch::Tensor part = cpu.forward_partial(sample2, in.t * 0.5, in.ctx, geo).clone();
  torch::Tensor gpu_part =
      gpu.forward_partial(sample2.to(cuda), (in.t * 0.5).to(cuda), in.ctx.to(cuda), geo).cpu();
  EXPECT_LT(max_abs_diff(gpu_part, part), 1e-4 * scale);
  EXPECT_GT(max_abs_diff(part, full), 1e-3);  // the partial pass did move the active tiles
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SparseUNetTest, ::testing::Values("unet_a", "unet_b"));

// A sparse ResNet block's partial pass equals, on its active tiles, the dense computation
// with the cached GroupNorm affines, the current time embedding, and conv1's map taken
// from the cache outside the active tiles (SIGE's halo approximation, reproduced exactly).
TEST(SparseResnet, ActiveTilesFollowCachedHaloSemantics) {
  torch::NoGradGuard no_grad;
  UNet2DConditionModel unet = load_unet(data_dir() / "unet_a");
  ResnetBlock2D block = unet->up_list[1]->resnet_list[0];  // concatenated input, conv_shortcut
  torch::manual_seed(3);
  const int64_t B = 2, H = 16, W = 16;
  const int64_t c_total = block->options().in_channels, c_skip = 16;
  torch::Tensor a1 = torch::randn({B, c_total - c_skip, H, W}), s1 = torch::randn({B, c_skip, H, W});
  torch::Tensor temb1 = torch::randn({B, 64}), temb2 = torch::randn({B, 64});
  SparseResnet sparse(block);
  torch::Tensor cached = sparse.forward_full({a1, s1}, temb1).clone();
  EXPECT_LT(max_abs_diff(cached, block->forward(torch::cat({a1, s1}, 1), temb1)), 1e-5);

  torch::Tensor a2 = a1 + torch::randn_like(a1), s2 = s1 + torch::randn_like(s1);
  SparseGeometry geo = make_sparse_geometry(make_mask(H, W, 5, 10, 1, 6), 1);
  const LevelGeometry& g = geo.levels[0];
  torch::Tensor out = sparse.forward_partial({a2, s2}, temb2, g).clone();

  // Reference with full-map ops: the full pass's affines, this step's time embedding.
  torch::Tensor x1 = torch::cat({a1, s1}, 1), x2 = torch::cat({a2, s2}, 1);
  auto [gn1_out, sc1, sh1] = group_norm_affine(x1, block->norm1);
  torch::Tensor h1_cached = block->conv1->forward(torch::silu(apply_affine(x1, sc1, sh1)));
  torch::Tensor h1_fresh = block->conv1->forward(torch::silu(apply_affine(x2, sc1, sh1)));
  torch::Tensor active = (~inactive_pixels(g)).view({1, 1, H, W});
  torch::Tensor h1 = torch::where(active, h1_fresh, h1_cached);
  torch::Tensor t1 = block->time_emb_proj->forward(torch::silu(temb1)).view({B, -1, 1, 1});
  torch::Tensor t2 = block->time_emb_proj->forward(torch::silu(temb2)).view({B, -1, 1, 1});
  auto [gn2_out, sc2, sh2] = group_norm_affine(h1_cached + t1, block->norm2);
  torch::Tensor y = block->conv2->forward(torch::silu(apply_affine(h1 + t2, sc2, sh2)));
  torch::Tensor ref = torch::where(active, block->conv_shortcut->forward(x2) + y, cached);
  EXPECT_LT(max_abs_diff(out, ref), 1e-5);
}

}  // namespace
}  // namespace hd
