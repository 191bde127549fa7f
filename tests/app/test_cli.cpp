// The `hd` command line tool end to end: it runs the real binary and checks its outputs.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "io/safetensors.h"

namespace {
namespace fs = std::filesystem;

struct CliRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

// Runs `program args` (hd by default) through the shell.
CliRun run(const std::string& args, const std::string& program = HD_CLI_PATH) {
  CliRun r;
  const std::string cmd = program + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("hd_cli_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

const std::string kPipeline = std::string(HD_TEST_DATA_DIR) + "/pipeline_a";

// `hd generate` reproduces diffusers' image (same seed, prompt, negative prompt, steps,
// guidance and size) in the PNG and the float tensor it writes.
TEST(Cli, GenerateMatchesDiffusers) {
  const fs::path png = scratch("a.png"), tensor = scratch("a.safetensors");
  CliRun r = run("generate --model " + kPipeline +
              " --prompt 'a red star above a blue house' --negative 'a cat' --steps 5"
               " --guidance 7.5 --seed 1234 --width 32 --height 32 --mode dense --out " + png.string() +
              " --save-tensor " + tensor.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("seed 1234"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("step 5/5"), std::string::npos) << r.output;  // per-step lines
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 100u);
  auto ours = hd::SafetensorsFile::open(tensor);
  auto ref = hd::SafetensorsFile::open(fs::path(HD_TEST_DATA_DIR) / "pipeline_a_io.safetensors");
  const std::vector<float> a = hd::to_float32(ours.at("image"));
  const std::vector<float> b = hd::to_float32(ref.at("image"));
  ASSERT_EQ(ours.at("image").shape, (std::vector<int64_t>{1, 3, 32, 32}));
  ASSERT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  EXPECT_LT(worst, 1e-3f);
}

// `hd generate --precision bf16` runs the UNet in bfloat16 on the CPU: the image stays
// within bfloat16 accuracy of diffusers' float32 image (the pipeline test bounds it tighter).
TEST(Cli, GenerateInBFloat16) {
  const fs::path png = scratch("bf16.png"), tensor = scratch("bf16.safetensors");
  CliRun r = run("generate --model " + kPipeline +
                 " --prompt 'a red star above a blue house' --negative 'a cat' --steps 5"
                 " --guidance 7.5 --seed 1234 --width 32 --height 32 --mode dense --precision bf16 --out " +
                 png.string() + " --save-tensor " + tensor.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("UNet bfloat16"), std::string::npos) << r.output;  // the log says so
  const std::vector<float> a = hd::to_float32(hd::SafetensorsFile::open(tensor).at("image"));
  const std::vector<float> b = hd::to_float32(
      hd::SafetensorsFile::open(fs::path(HD_TEST_DATA_DIR) / "pipeline_a_io.safetensors").at("image"));
  ASSERT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  EXPECT_GT(worst, 0.0f);  // bfloat16 arithmetic, not float32's
  EXPECT_LT(worst, 4e-2f);
}

// `hd inspect --config sd-v1-4` builds SD v1.4 with random weights and prints the real
// parameter counts and the UNet's MACs at 512x512.
TEST(Cli, InspectSdV14PrintsParameterCountsAndMacs) {
  CliRun r = run("inspect --config sd-v1-4");
  EXPECT_NE(r.output.find("cross-attention at 64x64, 32x32, 16x16, 8x8 (--map-factors 1,2,4,8)"),
            std::string::npos)
      << r.output;
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("859,520,964"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("123,060,480"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("83,653,863"), std::string::npos) << r.output;
  // 401,634,672,640 for convolutions, linear layers and attention matmuls, plus the
  // 2,048,000 MACs of the time-embedding MLP.
  EXPECT_NE(r.output.find("401,636,720,640"), std::string::npos) << r.output;
}

// Rows of a CSV file with a header, as column -> text.
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  std::string line;
  auto split = [](const std::string& l) {
    std::vector<std::string> out;
    std::stringstream ss(l);
    std::string cell;
    while (std::getline(ss, cell, ',')) out.push_back(cell);
    return out;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// `hd bench prompts` (a report; timings are not checked): a row per prompt with its step
// counts and the per-image costs the step medians leave out (the collection step and the first
// partial step of its mask), and a summary naming them.
TEST(Cli, BenchPromptsReportsEachImagesSteps) {
  const fs::path out = scratch("bench_prompts"), prompts = scratch("prompts.txt");
  std::ofstream(prompts) << "a red star above a blue house\na blue house\n";
  CliRun r = run("bench prompts --model " + kPipeline + " --prompts " + prompts.string() +
                 " --steps 10 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  auto rows = read_csv(out / "prompts.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (auto& row : rows) {
    EXPECT_EQ(std::stoi(row["full_steps"]) + std::stoi(row["partial_steps"]), 10);
    EXPECT_GT(std::stoi(row["partial_steps"]), 0);
    EXPECT_GT(std::stod(row["collect_step_ms"]), 0.0);
    EXPECT_GT(std::stod(row["first_partial_ms"]), 0.0);
    EXPECT_GT(std::stod(row["speedup"]), 0.0);
  }
  std::ifstream md(out / "summary.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("| per image: collection step / first partial step (median ms) |"),
            std::string::npos);
}

// `hd bench masks` (a report; timings are not checked): a smaller mask activates fewer tiles
// and MACs and leaves more of the change since the full step unrecomputed, a full mask costs
// about the dense MACs, the per-part table accounts for every MAC of the partial step, and
// the speedups are medians of the rounds' ratios, within their range over the rounds.
// With --trace, the Chrome traces are written and the operator traces show the partial
// step gathering tiles and the full step not.
TEST(Cli, BenchMasksReportsMacsPerAreaAndPart) {
  const fs::path out = scratch("bench_masks");
  CliRun r = run("bench masks --model " + kPipeline + " --areas 5,100 --repeats 3 --trace --out " +
                 out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  auto rows = read_csv(out / "masks.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_LT(std::stod(rows[0]["active_tiles"]), std::stod(rows[0]["total_tiles"]));
  EXPECT_EQ(rows[1]["active_tiles"], rows[1]["total_tiles"]);
  EXPECT_LT(std::stod(rows[0]["mac_fraction"]), 0.5);
  EXPECT_GT(std::stod(rows[1]["mac_fraction"]), 0.9);
  EXPECT_LE(std::stod(rows[1]["mac_fraction"]), 1.0);
  EXPECT_GT(std::stod(rows[0]["dense_ms"]), 0.0);
  for (auto& row : rows) {
    const double eff = std::stod(row["efficiency"]);
    EXPECT_NEAR(eff, std::stod(row["speedup_measured"]) / std::stod(row["speedup_macs"]),
                1e-4 * eff);
    EXPECT_GT(std::stod(row["efficiency_min"]), 0.0);
    EXPECT_LE(std::stod(row["efficiency_min"]), eff);
    EXPECT_GE(std::stod(row["efficiency_max"]), eff);
    const double sched = std::stod(row["schedule_measured"]);
    EXPECT_LE(std::stod(row["schedule_min"]), sched);
    EXPECT_GE(std::stod(row["schedule_max"]), sched);
  }
  // A full mask recomputes more of the change than a 5% mask (GroupNorm statistics stay
  // the full step's, so neither is exact).
  EXPECT_LT(std::stod(rows[1]["error_ratio"]), std::stod(rows[0]["error_ratio"]));
  EXPECT_GT(std::stod(rows[1]["error_ratio"]), 0.0);
  auto parts = read_csv(out / "parts.csv");
  for (const auto& area : rows) {
    double sum = 0;
    int n = 0;
    for (auto& p : parts) {
      if (p["area_pct"] != area.at("area_pct")) continue;
      sum += std::stod(p["partial_gmacs"]);
      ++n;
    }
    EXPECT_GT(n, 5) << area.at("area_pct");
    EXPECT_NEAR(sum, std::stod(area.at("partial_gmacs")), 1e-6 + 1e-4 * sum) << area.at("area_pct");
  }
  std::ifstream md(out / "summary.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("Time per UNet part"), std::string::npos);
  EXPECT_NE(text.find("| L0 resnet |"), std::string::npos);
  EXPECT_NE(text.find("Operator traces"), std::string::npos);
  for (const char* trace :
       {"trace-5pct-full.json", "trace-5pct-partial.json", "trace-100pct-partial.json"}) {
    EXPECT_GT(fs::exists(out / trace) ? fs::file_size(out / trace) : 0u, 1000u) << trace;
  }
  std::map<std::string, int64_t> gathers;  // "area step" -> calls of the tile gather operator
  for (auto& op : read_csv(out / "ops.csv")) {
    if (op["kind"] == "operator" && op["name"] == "\"hd::gather_tiles\"") {
      gathers[op["area_pct"] + " " + op["step"]] += std::stoll(op["calls"]);
    }
  }
  EXPECT_GT(gathers["5 partial"], 0);
  EXPECT_EQ(gathers.count("5 full"), 0u);
  EXPECT_EQ(gathers.count("100 full"), 0u);
}

// Bad input gives a message naming what is wrong and a non-zero exit, never a crash.
TEST(Cli, BadInputIsReported) {
  CliRun r = run("generate --model /no/such/model --prompt x --out " + scratch("b.png").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("/no/such/model"), std::string::npos) << r.output;
  r = run("generate --model " + kPipeline + " --prompt x");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--out is required"), std::string::npos) << r.output;
  r = run("generate --model " + kPipeline + " --prompt x --steps many --out x.png");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("'many' is not a valid number"), std::string::npos) << r.output;
  r = run("generate --model " + kPipeline + " --prompt x --precision fp8 --out x.png");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--precision must be fp32, bf16 or fp16, got 'fp8'"), std::string::npos) << r.output;
  r = run("generate --model " + kPipeline + " --prompt x --scheduler euler --out x.png");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--scheduler must be ddim, dpm++2m or dpm++2m-karras, got 'euler'"),
            std::string::npos)
      << r.output;
  r = run("generate --model " + kPipeline + " --prompt x --scheduler dpm++2m --eta 0.3 --out " +
          scratch("e.png").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("eta 0.3 applies to the ddim scheduler only"), std::string::npos)
      << r.output;
  r = run("generate --model " + kPipeline + " --prompt x --map-factors 2,x --out x.png");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("'--map-factors': '2,x' is not a comma-separated list of integers"),
            std::string::npos)
      << r.output;
  // A factor the UNet has none of: the message names the factors it has.
  r = run("generate --model " + kPipeline + " --prompt x --steps 10 --map-factors 4 --out " +
          scratch("f.png").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("this UNet's are at 1, 2"), std::string::npos) << r.output;
  r = run("generate --model " + kPipeline +
          " --prompt x --cuda-graphs --no-cuda-graphs --out x.png");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--cuda-graphs and --no-cuda-graphs contradict each other"),
            std::string::npos)
      << r.output;
  r = run("bench prompts --prompts x.txt --out x --cuda-graphs --no-cuda-graphs");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--cuda-graphs and --no-cuda-graphs contradict each other"),
            std::string::npos)
      << r.output;
  r = run("generate --bogus");
  EXPECT_NE(r.output.find("unknown option '--bogus'"), std::string::npos) << r.output;
  r = run("frobnicate");
  EXPECT_EQ(r.status, 2);
}

// Every command of hd and hd-train answers --help with its own usage line and status 0.
TEST(Cli, EveryCommandHasHelp) {
  for (const std::string c : {"generate", "inspect", "eval", "bench prompts", "bench masks"}) {
    const CliRun r = run(c + " --help");
    EXPECT_EQ(r.status, 0) << c << ": " << r.output;
    EXPECT_EQ(r.output.rfind("usage: hd " + c + " [options]\n", 0), 0u) << c << ": " << r.output;
  }
  for (const std::string c :
       {"tokenizer", "vae", "unet", "eval-vae", "export", "prompts", "evaluate", "grade"}) {
    const CliRun r = run(c + " --help", HD_TRAIN_PATH);
    EXPECT_EQ(r.status, 0) << c << ": " << r.output;
    EXPECT_EQ(r.output.rfind("usage: hd-train " + c + " [options]\n", 0), 0u)
        << c << ": " << r.output;
  }
  const CliRun r = run("", HD_TRAIN_PATH);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("unet|eval-vae|export|prompts|evaluate|grade"), std::string::npos)
      << r.output;
}

// hd-train's option errors name the option and its value before any file is read.
TEST(Cli, TrainOptionErrorsNameTheOption) {
  const std::string unet = "unet --vae /no/vae --tokenizer /no/tok --checkpoint /no/u.ckpt ";
  CliRun r = run(unet + "--shape-every 3 --shape-timesteps 0.3", HD_TRAIN_PATH);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--shape-timesteps: '0.3' is not two numbers FROM,TO"), std::string::npos)
      << r.output;
  r = run(unet + "--shape-every 3 --shape-timesteps 0.3,x", HD_TRAIN_PATH);
  EXPECT_NE(r.output.find("'--shape-timesteps': '0.3,x' is not a comma-separated list of numbers"),
            std::string::npos)
      << r.output;
  r = run(unet + "--shape-every 3 --shape-timesteps 0.9,0.2", HD_TRAIN_PATH);
  EXPECT_NE(r.output.find("--shape-timesteps: 0.9,0.2 is not a band"), std::string::npos)
      << r.output;
  r = run(unet + "--text-encoder-lr-scale -2", HD_TRAIN_PATH);
  EXPECT_NE(r.output.find("--text-encoder-lr-scale: -2 must be > 0"), std::string::npos)
      << r.output;
  // Options that tune a mode are refused while the mode is off, not ignored.
  r = run(unet + "--shape-edge-weight 8", HD_TRAIN_PATH);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--shape-edge-weight '8' has no effect without --shape-every K"),
            std::string::npos)
      << r.output;
  r = run(unet + "--shape-every 0 --shape-timesteps 0.5,0.9", HD_TRAIN_PATH);
  EXPECT_NE(r.output.find("--shape-timesteps '0.5,0.9' has no effect without --shape-every K"),
            std::string::npos)
      << r.output;
  r = run(unet + "--position-portion 0.2", HD_TRAIN_PATH);
  EXPECT_NE(r.output.find("--position-portion '0.2' has no effect without --position-every K"),
            std::string::npos)
      << r.output;
  r = run(unet + "--timestep-bias none --timestep-bias-multiplier 3", HD_TRAIN_PATH);
  EXPECT_NE(r.output.find("--timestep-bias-multiplier '3' has no effect without --timestep-bias"),
            std::string::npos)
      << r.output;
}

size_t count_lines(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) n += !line.empty();
  return n;
}

// `hd eval` runs dense and highlight per prompt, one shard at a time; a second run of a
// shard skips its finished prompts; --merge joins the shards' rows in prompt order and
// writes the summary, with FID through a user-provided TorchScript feature network.
TEST(Cli, EvalShardsResumeAndMerge) {
  const fs::path dir = scratch("eval");
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream(dir / "prompts.txt") << "a red circle\n# a comment\na blue square\na green star\n";
  }
  const std::string common = "eval --model " + kPipeline + " --prompts " + (dir / "prompts.txt").string() +
                             " --steps 2 --out " + (dir / "out").string();
  CliRun r = run(common + " --shard 0/2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(count_lines(dir / "out" / "rows" / "shard-0-of-2.csv"), 3u);  // header + prompts 0 and 2
  r = run(common + " --shard 0/2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("0 prompts to run, 2 already done"), std::string::npos) << r.output;
  // A resume with other settings would mix its rows with rows of other images: refused,
  // naming the setting, before anything runs.
  r = run(common + " --shard 1/2 --scheduler dpm++2m");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("settings.json: the rows in this folder were made with scheduler "
                          "\"ddim\", this run asks for \"dpm++2m\""),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "rows" / "shard-1-of-2.csv"));
  r = run(common + " --shard 1/2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::is_regular_file(dir / "out" / "images" / "highlight" / "00001.png"));
  const std::string eval_data = std::string(HD_TEST_DATA_DIR) + "/eval";
  r = run("eval --merge --out " + (dir / "out").string() + " --inception " + eval_data + "/tiny_features.pt --inception-size 32");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("| prompts | 3 |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FID highlight images vs dense images"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("command: hd eval --merge --out "), std::string::npos) << r.output;
  std::ifstream merged(dir / "out" / "eval.csv");
  std::string header, first, second;
  std::getline(merged, header);
  std::getline(merged, first);
  std::getline(merged, second);
  EXPECT_EQ(first.substr(0, 2), "0,");
  EXPECT_EQ(second.substr(0, 2), "1,");
  EXPECT_NE(second.find("\"a blue square\""), std::string::npos) << second;
  r = run("eval --out " + (dir / "out").string() + " --prompts x.txt --shard 2/2");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--shard: '2/2' is not K/N"), std::string::npos) << r.output;
}

}  // namespace
