// hd bench: Highlight Diffusion against the dense pipeline, measured side by side in one run.
//
//   hd bench prompts --prompts FILE [--model DIR] --out DIR   dense vs highlight per prompt
//   hd bench masks [--config sd-v1-4 | --model DIR] --out DIR  partial-step cost vs mask area
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "args.h"
#include "commands.h"
#include "hd/engine.h"
#include "plot.h"
#include "side_by_side.h"

namespace hd::cli {
namespace {
namespace fs = std::filesystem;

std::string joined_args(const std::string& sub, const std::vector<std::string>& argv) {
  std::string s = "hd bench " + sub;
  for (const auto& a : argv) s += " " + a;
  return s;
}

std::string header(const std::string& command, const Engine& engine) {
  std::ostringstream os;
  os << "command: " << command << "\n"
     << "model: " << engine.info().path << " (" << engine.info().format << "), UNet "
     << engine.info().unet_dtype << "\n"
     << "runtime: " << runtime_line() << "\n";
  return os.str();
}

void write_file(const fs::path& p, const std::string& text) {
  Status st = save_text(text, p.string());
  if (!st.ok()) throw std::runtime_error(st.message());
}

// --- bench prompts --------------------------------------------------------------------------

std::vector<std::string> read_prompts(const std::string& path, int limit) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read the prompt file " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line) && (limit <= 0 || static_cast<int>(out.size()) < limit)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  if (out.empty()) throw std::invalid_argument(path + ": no prompts");
  return out;
}

int bench_prompts(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> specs = {{"prompts", true, false, "prompt file, one per line (required)", "FILE"},
                                    {"out", true, false, "report folder (required)", "DIR"}};
  for (auto& s : side_by_side_options()) specs.push_back(s);
  specs.push_back({"help", false, false, "show this help"});
  Args args(specs, argv);
  if (args.has("help")) {
    std::printf("%s",
                usage("hd bench prompts", "Dense vs highlight over a prompt file.", specs).c_str());
    return 0;
  }
  if (!args.has("prompts") || !args.has("out")) throw std::invalid_argument("--prompts and --out are required");
  const std::unique_ptr<Engine> loaded = load_engine(args);
  Engine& engine = *loaded;
  const auto prompts = read_prompts(*args.get("prompts"), args.get_int("limit", 0));
  const fs::path out = *args.get("out");
  fs::create_directories(out);
  const std::string command = joined_args("prompts", argv);

  std::ostringstream csv;
  csv << "index,seed,prompt,token,mask_area,dense_ms,highlight_ms,speedup,full_steps,partial_steps,"
         "full_step_ms,partial_step_ms,dense_step_ms,mac_ratio,psnr,ssim,collect_step_ms,first_"
         "partial_ms\n";
  std::vector<double> speedups, mac_ratios, psnrs, ssims, areas, dense_step, full_step, partial_step;
  std::vector<double> collect_step, first_partial;  // per-image costs the medians leave out
  std::vector<double> dense_total, hl_total;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const GenerateRequest req = side_by_side_request(args, prompts[i], i);
    const SideBySide r = run_side_by_side(engine, req);
    const GenerateResult &dense = r.dense, &hl = r.highlight;
    const double speedup = r.speedup, mac_ratio = r.mac_ratio, psnr = r.psnr, ssim = r.ssim;
    const float area = r.mask_area;
    const std::string& token = r.token;
    const double f = r.full_step_ms, p = r.partial_step_ms;
    speedups.push_back(speedup);
    mac_ratios.push_back(mac_ratio);
    psnrs.push_back(std::min(psnr, 100.0));
    ssims.push_back(ssim);
    areas.push_back(area);
    dense_step.push_back(median(dense.step_ms));
    full_step.push_back(f);
    partial_step.push_back(p);
    dense_total.push_back(dense.total_ms);
    hl_total.push_back(hl.total_ms);
    // The step that took the maps (attention store, mask, geometry) and the partial step after
    // it (the first with this mask: new tile-batch shapes, on CUDA the graph's warm-up).
    double collect_ms = 0, first_partial_ms = 0;
    if (hl.attention && static_cast<size_t>(hl.attention->step) < hl.step_ms.size()) {
      const size_t c = static_cast<size_t>(hl.attention->step);
      collect_ms = hl.step_ms[c];
      if (c + 1 < hl.step_ms.size() && hl.modes[c + 1] == StepMode::kPartial)
        first_partial_ms = hl.step_ms[c + 1];
      collect_step.push_back(collect_ms);
      if (first_partial_ms > 0) first_partial.push_back(first_partial_ms);
    }
    std::string quoted = prompts[i];
    std::replace(quoted.begin(), quoted.end(), '"', '\'');
    csv << i << ',' << req.seed << ",\"" << quoted << "\"," << token << ',' << area << ','
        << dense.total_ms << ',' << hl.total_ms << ',' << speedup << ',' << hl.full_steps << ','
        << hl.partial_steps << ',' << f << ',' << p << ',' << median(dense.step_ms) << ','
        << mac_ratio << ',' << psnr << ',' << ssim << ',' << collect_ms << ',' << first_partial_ms
        << '\n';
    std::fprintf(stderr, "[%zu/%zu] %.2fx  mask %.1f%%  PSNR %.1f dB  %s\n", i + 1, prompts.size(), speedup,
                 100.0 * area, psnr, prompts[i].c_str());
  }
  write_file(out / "prompts.csv", csv.str());

  std::ostringstream md;
  md << "# hd bench prompts\n\n```\n"
     << header(command, engine) << "```\n\n"
     << "| metric | value |\n|---|---|\n"
     << "| prompts | " << prompts.size() << " |\n"
     << "| end-to-end speedup (total dense time / total highlight time) | "
     << std::accumulate(dense_total.begin(), dense_total.end(), 0.0) /
            std::accumulate(hl_total.begin(), hl_total.end(), 0.0)
     << "x |\n"
     << "| mean per-prompt speedup | " << mean(speedups) << "x |\n"
     << "| UNet MACs, highlight / dense (mean) | " << mean(mac_ratios) << " |\n"
     << "| median step latency: dense / full / partial (ms) | " << median(dense_step) << " / "
     << median(full_step) << " / " << median(partial_step) << " |\n"
     << "| per image: collection step / first partial step (median ms) | "
     << (collect_step.empty() ? 0.0 : median(collect_step)) << " / "
     << (first_partial.empty() ? 0.0 : median(first_partial)) << " |\n"
     << "| mask area (mean) | " << 100.0 * mean(areas) << "% |\n"
     << "| PSNR highlight vs dense (mean) | " << mean(psnrs) << " dB |\n"
     << "| SSIM highlight vs dense (mean) | " << mean(ssims) << " |\n";
  write_file(out / "summary.md", md.str());
  write_plot((out / "speedup_vs_area.png").string(), "Highlight vs dense, per prompt", "mask area (fraction)",
             "speedup (x)", {{"end-to-end speedup", areas, speedups, false, 0}, {"1 / MAC ratio", areas, [&] {
                               std::vector<double> v;
                               for (double r : mac_ratios) v.push_back(1.0 / r);
                               return v;
                             }(), false, 1}});
  std::printf("%s", md.str().c_str());
  return 0;
}

// --- bench masks ----------------------------------------------------------------------------

ByteMask disk_mask(int h, int w, double area) {
  ByteMask m;
  m.width = w;
  m.height = h;
  m.data.assign(static_cast<size_t>(w) * h, 0);
  const double r = std::sqrt(area * w * h / M_PI), cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (area >= 1.0 || (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) m.data[y * w + x] = 255;
    }
  }
  return m;
}

// Where the time goes, per UNet part: the full step, then per mask area the partial step's
// time and its share of the part's dense MACs.
std::string parts_table(const std::vector<double>& areas, const std::vector<Engine::PartialBench>& benches) {
  if (benches.empty()) return {};
  std::ostringstream md;
  md << "Time per UNet part (exclusive of nested parts; profiled runs), partial step: ms (MACs / the part's "
        "dense MACs)\n\n| part | full step |";
  for (double a : areas) md << ' ' << 100 * a << "% |";
  md << "\n|---|---|";
  for (size_t i = 0; i < areas.size(); ++i) md << "---|";
  md << '\n';
  std::vector<double> sums(areas.size() + 1, 0.0);
  char cell[96];
  for (const auto& part : benches.front().parts) {
    std::snprintf(cell, sizeof cell, "| %s | %.2f ms |", part.name.c_str(), part.full_ms);
    md << cell;
    sums[0] += part.full_ms;
    for (size_t i = 0; i < benches.size(); ++i) {
      const auto& ps = benches[i].parts;
      auto it = std::find_if(ps.begin(), ps.end(), [&](const auto& q) { return q.name == part.name; });
      if (it == ps.end()) {
        md << " - |";
        continue;
      }
      sums[i + 1] += it->partial_ms;
      if (it->full_macs > 0) {
        std::snprintf(cell, sizeof cell, " %.2f (%.0f%%) |", it->partial_ms, 100 * it->partial_macs / it->full_macs);
      } else {
        std::snprintf(cell, sizeof cell, " %.2f |", it->partial_ms);
      }
      md << cell;
    }
    md << '\n';
  }
  std::snprintf(cell, sizeof cell, "| sum of parts | %.2f ms |", sums[0]);
  md << cell;
  for (size_t i = 1; i < sums.size(); ++i) {
    std::snprintf(cell, sizeof cell, " %.2f |", sums[i]);
    md << cell;
  }
  md << '\n';
  return md.str();
}

std::string parts_csv(const std::vector<double>& areas, const std::vector<Engine::PartialBench>& benches) {
  std::ostringstream csv;
  csv << "area_pct,part,full_ms,partial_ms,full_gmacs,partial_gmacs\n";
  for (size_t i = 0; i < benches.size(); ++i) {
    for (const auto& p : benches[i].parts) {
      csv << 100 * areas[i] << ',' << p.name << ',' << p.full_ms << ',' << p.partial_ms << ',' << p.full_macs / 1e9
          << ',' << p.partial_macs / 1e9 << '\n';
    }
  }
  return csv.str();
}

// The operator traces (--trace): per area and step, operator calls and, on CUDA, kernel
// launches and the GPU's busy time against wall time; then the partial step's costliest
// operators at each area.
std::string ops_table(const std::vector<double>& areas,
                      const std::vector<Engine::PartialBench>& benches) {
  std::ostringstream md;
  char row[256];
  md << "Operator traces (--trace; one step each under torch's profiler, which adds its own "
        "overhead; Chrome traces trace-AREApct-full.json / -partial.json):\n\n"
        "| mask | step | wall | operator calls (top level) | kernels | GPU busy |\n"
        "|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < benches.size(); ++i) {
    for (const auto* tr : {&benches[i].full_trace, &benches[i].partial_trace}) {
      std::string kernels = "-", busy = "-";  // CPU: no kernels
      if (tr->kernel_launches > 0) {
        kernels = std::to_string(tr->kernel_launches);
        std::snprintf(row, sizeof row, "%.1f ms (%.0f%%)", tr->kernel_busy_ms,
                      100 * tr->kernel_busy_ms / tr->wall_ms);
        busy = row;
      }
      std::snprintf(row, sizeof row, "| %g%% | %s | %.1f ms | %lld (%lld) | %s | %s |\n",
                    100 * areas[i], tr == &benches[i].full_trace ? "full" : "partial", tr->wall_ms,
                    static_cast<long long>(tr->operator_calls),
                    static_cast<long long>(tr->top_level_calls), kernels.c_str(), busy.c_str());
      md << row;
    }
  }
  constexpr size_t kTop = 8;
  md << "\nPartial step, costliest operators (self time, calls):\n\n| mask | operators |\n"
        "|---|---|\n";
  for (size_t i = 0; i < benches.size(); ++i) {
    md << "| " << 100 * areas[i] << "% |";
    const auto& ops = benches[i].partial_trace.operators;
    for (size_t k = 0; k < std::min(kTop, ops.size()); ++k) {
      std::snprintf(row, sizeof row, "%s %s %.2f ms (%lld)", k ? "," : "", ops[k].name.c_str(),
                    ops[k].self_ms, static_cast<long long>(ops[k].calls));
      md << row;
    }
    md << " |\n";
  }
  return md.str();
}

std::string ops_csv(const std::vector<double>& areas,
                    const std::vector<Engine::PartialBench>& benches) {
  std::ostringstream csv;
  csv << "area_pct,step,kind,name,calls,self_ms\n";
  for (size_t i = 0; i < benches.size(); ++i) {
    for (const auto* tr : {&benches[i].full_trace, &benches[i].partial_trace}) {
      const char* step = tr == &benches[i].full_trace ? "full" : "partial";
      for (const auto& [kind, list] :
           {std::pair{"operator", &tr->operators}, std::pair{"kernel", &tr->kernels}}) {
        for (const auto& op : *list) {
          std::string name = op.name;  // CSV-quoted: kernel names carry commas
          for (size_t p = 0; (p = name.find('"', p)) != std::string::npos; p += 2)
            name.insert(p, 1, '"');
          csv << 100 * areas[i] << ',' << step << ',' << kind << ",\"" << name << "\"," << op.calls
              << ',' << op.self_ms << '\n';
        }
      }
    }
  }
  return csv.str();
}

int bench_masks(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      {"model", true, false, "model folder", "PATH"},
      {"config", true, false, "bundled config with random weights, e.g. sd-v1-4", "NAME"},
      {"size", true, false, "image size (default: the model's)", "PX"},
      {"areas", true, false, "mask areas in percent (default 2,5,10,20,30,50,100)", "LIST"},
      {"repeats", true, false, "timed repeats per measurement (default 3)", "N"},
      {"batch", true, false, "UNet batch (default 2: a guided step)", "N"},
      {"steps", true, false, "steps of the schedule for the end-to-end bound (default 50)", "N"},
      {"out", true, false, "report folder (required)", "DIR"},
      {"threads", true, false, "CPU threads (default: all cores)", "N"},
      {"device", true, false, "cpu or cuda", "DEV"},
      precision_option(),
      {"trace", false, false,
       "also trace one full and one partial step per area operator by operator (Chrome "
       "traces and ops.csv in --out)"},
      {"help", false, false, "show this help"}};
  Args args(specs, argv);
  if (args.has("help")) {
    std::printf(
        "%s",
        usage("hd bench masks", "Partial-step latency and MACs against mask area.", specs).c_str());
    return 0;
  }
  if (!args.has("out")) throw std::invalid_argument("--out is required");
  Engine engine(engine_options(args));
  Status st = args.has("config") ? engine.load_random(*args.get("config")) : engine.load(args.get_or("model", default_model_path()));
  if (!st.ok()) throw std::runtime_error(st.message());
  const int size = args.get_int("size", engine.info().default_width);
  const int f = engine.info().vae_scale_factor;
  std::vector<double> areas;
  {
    std::stringstream ss(args.get_or("areas", "2,5,10,20,30,50,100"));
    std::string item;
    while (std::getline(ss, item, ',')) areas.push_back(std::stod(item) / 100.0);
  }
  const int steps = args.get_int("steps", 50);
  // The paper's schedule as the engine runs it: plain dense steps (warm-up, last), full steps
  // that keep caches, partial steps.
  const StepCounts plan = count_steps(steps, HighlightOptions{});
  const int full = plan.dense + plan.full, partial = plan.partial;
  const fs::path out = *args.get("out");
  fs::create_directories(out);
  const std::string command = joined_args("masks", argv);

  std::ostringstream csv, md;
  csv << "area_pct,mask_area,active_tiles,total_tiles,full_ms,partial_ms,full_gmacs,partial_gmacs,"
         "mac_fraction,"
         "speedup_measured,speedup_macs,efficiency,schedule_measured,schedule_bound,dense_ms,error_"
         "ratio,"
         "efficiency_min,efficiency_max,schedule_min,schedule_max\n";
  md << "# hd bench masks\n\n```\n"
     << header(command, engine) << "image " << size << "x" << size << ", latents " << size / f
     << "x" << size / f << ", batch " << args.get_int("batch", 2) << ", schedule of " << steps
     << " steps: " << plan.dense << " dense + " << plan.full << " full + " << partial
     << " partial\n```\n\n"
     << "Speedups are against the dense step (the plain UNet forward of dense mode); a full step "
        "is a dense step\n"
        "that also keeps the caches partial steps read. Each round times a dense, a full and a "
        "partial step one after the\n"
        "other; step times are medians over the rounds, speedups the median of each round's "
        "ratio, with their range\n"
        "over the rounds in brackets (a machine's slower phases fall on both sides of a "
        "round's ratio).\n\n"
     << "| mask | active tiles | dense step | full step | partial step | partial MACs / dense | "
        "speedup measured | "
        "speedup by MACs | measured / MACs | end-to-end (schedule) | bound "
        "|\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  Series lat{"partial step (ms)", {}, {}, true, 0}, full_line{"full step (ms)", {}, {}, true, 1};
  Series lat_macs{"partial step (ms)", {}, {}, true, 0};
  std::vector<Engine::PartialBench> benches;
  std::ostringstream graph_rows;
  for (double a : areas) {
    Engine::PartialBench b;
    char trace[64] = "";
    if (args.has("trace")) std::snprintf(trace, sizeof trace, "trace-%gpct", 100 * a);
    st = engine.bench_partial(disk_mask(size / f, size / f, a), args.get_int("batch", 2),
                              args.get_int("repeats", 3), &b,
                              *trace ? (out / trace).string() : std::string());
    if (!st.ok()) throw std::runtime_error(st.message());
    const double frac = b.partial_macs / b.full_macs;
    const double s_macs = 1.0 / frac;
    // Per round: the partial step's speedup and the schedule's end to end over dense steps.
    std::vector<double> s_rounds, sched_rounds;
    for (size_t i = 0; i < b.dense_rounds.size(); ++i) {
      const double dense_i = b.dense_rounds[i];
      s_rounds.push_back(dense_i / b.partial_rounds[i]);
      sched_rounds.push_back(
          steps * dense_i /
          (plan.dense * dense_i + plan.full * b.full_rounds[i] + partial * b.partial_rounds[i]));
    }
    const double s_meas = median(s_rounds), sched_meas = median(sched_rounds);
    const auto [s_lo, s_hi] = std::minmax_element(s_rounds.begin(), s_rounds.end());
    const auto [sched_lo, sched_hi] = std::minmax_element(sched_rounds.begin(), sched_rounds.end());
    const double sched_bound = steps / (full + partial * frac);
    csv << 100 * a << ',' << b.mask_area << ',' << b.active_tiles << ',' << b.total_tiles << ','
        << b.full_ms << ',' << b.partial_ms << ',' << b.full_macs / 1e9 << ','
        << b.partial_macs / 1e9 << ',' << frac << ',' << s_meas << ',' << s_macs << ','
        << s_meas / s_macs << ',' << sched_meas << ',' << sched_bound << ',' << b.dense_ms << ','
        << b.error_ratio << ',' << *s_lo / s_macs << ',' << *s_hi / s_macs << ',' << *sched_lo
        << ',' << *sched_hi << '\n';
    char row[512];
    std::snprintf(
        row, sizeof row,
        "| %.0f%% (%.1f%%) | %d / %d | %.1f ms | %.1f ms | %.1f ms | %.3f | %.2fx | %.2fx | %.0f%% "
        "(%.0f-%.0f%%) | %.2fx (%.2f-%.2f) | %.2fx |\n",
        100 * a, 100 * b.mask_area, b.active_tiles, b.total_tiles, b.dense_ms, b.full_ms,
        b.partial_ms, frac, s_meas, s_macs, 100 * s_meas / s_macs, 100 * *s_lo / s_macs,
        100 * *s_hi / s_macs, sched_meas, *sched_lo, *sched_hi, sched_bound);
    md << row;
    std::fprintf(stderr, "%s", row);
    if (b.partial_graph_ms > 0) {
      graph_rows << "| " << 100 * a << "% | " << b.partial_ms << " ms | " << b.partial_graph_ms
                 << " ms | " << b.dense_ms / b.partial_graph_ms << "x | "
                 << steps * b.dense_ms /
                        (plan.dense * b.dense_ms + plan.full * b.full_ms +
                         partial * b.partial_graph_ms)
                 << "x |\n";
    } else if (!b.graph_note.empty()) {
      graph_rows << "| " << 100 * a << "% | " << b.partial_ms << " ms | - | " << b.graph_note << " | |\n";
    }
    lat.x.push_back(b.active_tiles);
    lat.y.push_back(b.partial_ms);
    full_line.x.push_back(b.active_tiles);
    full_line.y.push_back(b.full_ms);
    lat_macs.x.push_back(b.partial_macs / 1e9);
    lat_macs.y.push_back(b.partial_ms);
    benches.push_back(std::move(b));
  }
  md << "\nApproximation inside the mask (inputs changed everywhere since the full step): |partial - dense| / "
        "|full step's output - dense| =";
  for (size_t i = 0; i < benches.size(); ++i) {
    char cell[48];
    std::snprintf(cell, sizeof cell, "%s %.3f (%.0f%%)", i ? "," : "", benches[i].error_ratio, 100 * areas[i]);
    md << cell;
  }
  md << "\n";
  if (!graph_rows.str().empty()) {
    md << "\nPartial steps replayed as CUDA graphs (--cuda-graphs), same runs:\n\n| mask | partial step (eager) | "
          "partial step (graph) | speedup (graph) | end-to-end (schedule, graph) |\n|---|---|---|---|---|\n"
       << graph_rows.str();
  }
  md << "\n" << parts_table(areas, benches);
  if (args.has("trace")) {
    md << "\n" << ops_table(areas, benches);
    write_file(out / "ops.csv", ops_csv(areas, benches));
  }
  write_file(out / "parts.csv", parts_csv(areas, benches));
  write_file(out / "masks.csv", csv.str());
  write_file(out / "summary.md", md.str());
  write_plot((out / "latency_vs_blocks.png").string(), "Per-step latency against active blocks",
             "active tiles (all levels)", "ms", {lat, full_line});
  write_plot((out / "latency_vs_macs.png").string(), "Partial-step latency against MACs", "GMACs per step", "ms",
             {lat_macs});
  std::printf("%s", md.str().c_str());
  return 0;
}

}  // namespace

int cmd_bench(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help") {
    std::printf("usage: hd bench prompts|masks [options]   (hd bench <kind> --help)\n");
    return argv.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (argv[0] == "prompts") return bench_prompts(rest);
  if (argv[0] == "masks") return bench_masks(rest);
  throw std::invalid_argument("unknown bench '" + argv[0] + "' (prompts or masks)");
}

}  // namespace hd::cli
