// hd: the Highlight Diffusion command line tool.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.h"
#include "commands.h"
#include "hd/engine.h"

namespace {

void print_help() {
  std::printf(
      "usage: hd <command> [options]\n\n"
      "commands:\n"
      "  generate   generate an image from a prompt\n"
      "  inspect    parameter counts, dtypes and UNet MACs of a model or config\n"
      "  bench      highlight vs dense: per prompt, or partial-step cost per mask area\n"
      "  eval       highlight vs dense over a prompt file at scale: rows, summary, FID (resumable, shardable)\n"
      "  version    print the version and the libtorch runtime\n\n"
      "`hd <command> --help` lists a command's options.\n");
}

}  // namespace

namespace hd::cli {

std::string with_commas(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

OptionSpec precision_option() {
  return {"precision", true, false, "UNet arithmetic: fp32 (default), bf16 (for CPUs) or fp16 (for CUDA)", "P"};
}

OptionSpec scheduler_option() {
  return {"scheduler", true, false,
          "sampler: ddim (default), dpm++2m (DPM-Solver++ 2M: nearer the converged image in as "
          "many steps) or dpm++2m-karras (the same on Karras sigmas)",
          "NAME"};
}

std::vector<OptionSpec> cuda_graph_options() {
  return {{"cuda-graphs", false, false,
           "CUDA: replay highlight's partial steps as CUDA graphs (default)"},
          {"no-cuda-graphs", false, false, "CUDA: run highlight's partial steps eagerly"}};
}

bool cuda_graphs_from(const Args& args) {
  if (args.has("cuda-graphs") && args.has("no-cuda-graphs")) {
    throw std::invalid_argument(
        "--cuda-graphs and --no-cuda-graphs contradict each other: give one");
  }
  return !args.has("no-cuda-graphs");
}

std::string scheduler_from(const Args& args) {
  const auto& names = scheduler_names();
  const std::string s = args.get_or("scheduler", names.front());
  if (std::find(names.begin(), names.end(), s) == names.end()) {
    std::string expected;  // "a, b or c"
    for (size_t i = 0; i < names.size(); ++i)
      expected += (i == 0 ? "" : i + 1 < names.size() ? ", " : " or ") + names[i];
    throw std::invalid_argument("--scheduler must be " + expected + ", got '" + s + "'");
  }
  return s;
}

EngineOptions engine_options(const Args& args) {
  EngineOptions o;
  const std::string device = args.get_or("device", "cpu");
  if (device == "cuda") {
    o.device = Device::kCuda;
  } else if (device != "cpu") {
    throw std::invalid_argument("--device must be cpu or cuda, got '" + device + "'");
  }
  const std::string precision = args.get_or("precision", "fp32");
  if (precision == "fp16") {
    o.precision = Precision::kFloat16;
  } else if (precision == "bf16") {
    o.precision = Precision::kBFloat16;
  } else if (precision != "fp32") {
    throw std::invalid_argument("--precision must be fp32, bf16 or fp16, got '" + precision + "'");
  }
  o.num_threads = args.get_int("threads", 0);
  return o;
}

std::string runtime_line() {
  std::string line = "torch " + torch_version() + ", " + std::to_string(torch_threads()) +
                     " threads, CUDA " + (cuda_available() ? "available" : "not available") +
                     ", CPU " + cpu_description();
  // Developer switches that change how steps compute (timed both ways by benchmarks).
  for (const char* name :
       {"HD_PACKED_GEMM", "HD_SMALL_GEMM", "HD_FEW_QUERY_ATTENTION", "HD_CPU_ATTENTION"}) {
    if (const char* v = std::getenv(name)) line.append(", ").append(name).append("=").append(v);
  }
  return line;
}

}  // namespace hd::cli

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help();
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "generate") return hd::cli::cmd_generate(args);
    if (command == "inspect") return hd::cli::cmd_inspect(args);
    if (command == "bench") return hd::cli::cmd_bench(args);
    if (command == "eval") return hd::cli::cmd_eval(args);
    if (command == "version" || command == "--version") {
      std::printf("hd %s\n%s\n", hd::version().c_str(), hd::cli::runtime_line().c_str());
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      print_help();
      return 0;
    }
    std::fprintf(stderr, "hd: unknown command '%s'\n", command.c_str());
    print_help();
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "hd %s: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hd %s: %s\n", command.c_str(), e.what());
    return 1;
  }
}
