// The `hd` subcommands. Each takes the arguments after its name and returns an exit code.
#pragma once

#include <string>
#include <vector>

#include "args.h"
#include "hd/engine.h"

namespace hd::cli {

int cmd_generate(const std::vector<std::string>& args);
int cmd_inspect(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);

// Shared output helpers.
std::string with_commas(long long value);                 // 859520964 -> "859,520,964"
std::string runtime_line();                                // torch version, threads, device

// Shared engine options: --device cpu|cuda, --threads N, --precision fp32|bf16|fp16 (a bad value
// names the option).
EngineOptions engine_options(const Args& args);
OptionSpec precision_option();  // the --precision option's spec, shared by the commands
// --scheduler ddim|dpm++2m|dpm++2m-karras (default ddim): the spec and the checked value.
OptionSpec scheduler_option();
std::string scheduler_from(const Args& args);
// --cuda-graphs / --no-cuda-graphs: whether highlight's partial steps replay as CUDA graphs on
// CUDA (the default; both flags given is an error).
std::vector<OptionSpec> cuda_graph_options();
bool cuda_graphs_from(const Args& args);

}  // namespace hd::cli
