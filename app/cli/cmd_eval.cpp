// hd eval: dense vs Highlight Diffusion over a prompt file, at scale.
//
//   hd eval --prompts FILE --out DIR [--shard K/N] [--inception FILE] [--lpips FILE] ...
//   hd eval --merge --out DIR [--inception FILE]
//
// Prompt files: one prompt per line (.txt), the embedded model's held-out prompts with their
// scene specs (.jsonl: prompt fidelity by the scene checker), or MS-COCO captions JSON
// ({"annotations": [{"caption": ...}]}). Each prompt is generated dense then highlight with
// the same seed; a row per prompt is appended (and flushed) to DIR/rows/shard-K-of-N.csv and
// both images are saved under DIR/images/{dense,highlight}/, so a crash or Ctrl-C loses no
// finished row and a second run skips the prompts already done (it must ask for the settings
// of the first, kept in DIR/settings.json). Shard K of N (0-based K, as
// Slurm's array task id) takes the prompts with index % N == K. --merge joins every shard's
// rows into DIR/eval.csv and writes the summary (summary.csv, summary.md), with FID between
// the dense and highlight images when an Inception network is given.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "hd/engine.h"
#include "hd/evaluation.h"
#include "side_by_side.h"

namespace hd::cli {
namespace {
namespace fs = std::filesystem;

struct PromptItem {
  std::string caption;
  std::string spec;  // scene spec JSON (embedded model's prompts), empty otherwise
  int objects = 0;
};

std::vector<PromptItem> read_prompt_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read the prompt file " + path);
  std::vector<PromptItem> out;
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".json") {  // MS-COCO captions
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(path + ": not JSON: " + e.what());
    }
    if (!j.contains("annotations") || !j["annotations"].is_array()) {
      throw std::invalid_argument(path +
                                  ": expected MS-COCO captions JSON with an 'annotations' list");
    }
    for (const auto& a : j["annotations"]) {
      if (!a.contains("caption") || !a["caption"].is_string()) {
        throw std::invalid_argument(path + ": an annotation has no 'caption' string");
      }
      std::string c = a["caption"].get<std::string>();
      while (!c.empty() && (c.back() == '\n' || c.back() == ' ' || c.back() == '.')) c.pop_back();
      out.push_back({c, "", 0});
    }
  } else {
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      if (ext == ".jsonl") {
        nlohmann::json j;
        try {
          j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
          throw std::invalid_argument(path + ":" + std::to_string(number) +
                                      ": not JSON: " + e.what());
        }
        if (!j.contains("caption"))
          throw std::invalid_argument(path + ":" + std::to_string(number) + ": no 'caption'");
        const int objects = j.contains("objects") ? static_cast<int>(j["objects"].size()) : 0;
        out.push_back({j["caption"].get<std::string>(), objects ? line : "", objects});
      } else {
        out.push_back({line, "", 0});
      }
    }
  }
  if (out.empty()) throw std::invalid_argument(path + ": no prompts");
  return out;
}

// --- rows: one CSV line per prompt, the prompt quoted last ------------------------------------

const char* kColumns =
    "index,seed,objects,dense_ms,highlight_ms,speedup,full_steps,partial_steps,full_step_ms,"
    "partial_step_ms,"
    "dense_step_ms,mac_ratio,mask_area,token,psnr,ssim,lpips,dense_fidelity,highlight_fidelity,"
    "prompt";

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

using Row = std::map<std::string, std::string>;

std::vector<Row> read_rows(const fs::path& file) {
  std::vector<Row> rows;
  std::ifstream in(file);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells = split_csv(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    if (cells.size() != header.size()) continue;  // a line cut short by a crash
    Row r;
    for (size_t i = 0; i < cells.size(); ++i) r[header[i]] = cells[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

double num(const Row& r, const std::string& key) {
  auto it = r.find(key);
  if (it == r.end() || it->second.empty()) return std::nan("");
  return std::stod(it->second);
}

// --- summary ----------------------------------------------------------------------------------

struct Summary {
  std::vector<std::pair<std::string, std::string>> items;  // metric, value
  void add(const std::string& k, double v, int precision = 3) {
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(precision);
    os << v;
    items.emplace_back(k, os.str());
  }
  void add(const std::string& k, const std::string& v) { items.emplace_back(k, v); }
};

std::vector<double> column(const std::vector<Row>& rows, const std::string& key) {
  std::vector<double> v;
  for (const auto& r : rows) {
    const double x = num(r, key);
    if (!std::isnan(x)) v.push_back(x);
  }
  return v;
}

Summary summarise(const std::vector<Row>& rows, std::optional<double> fid) {
  Summary s;
  s.add("prompts", std::to_string(rows.size()));
  double dense_total = 0, hl_total = 0;
  for (const auto& r : rows) dense_total += num(r, "dense_ms"), hl_total += num(r, "highlight_ms");
  s.add("end-to-end speedup (total dense / total highlight)", dense_total / hl_total, 3);
  s.add("mean per-prompt speedup", mean(column(rows, "speedup")), 3);
  s.add("median dense step (ms)", median(column(rows, "dense_step_ms")), 1);
  s.add("median full step (ms)", median(column(rows, "full_step_ms")), 1);
  s.add("median partial step (ms)", median(column(rows, "partial_step_ms")), 1);
  s.add("mean full / partial steps",
        std::to_string(mean(column(rows, "full_steps"))).substr(0, 5) + " / " +
            std::to_string(mean(column(rows, "partial_steps"))).substr(0, 5));
  s.add("UNet MACs highlight / dense (mean)", mean(column(rows, "mac_ratio")), 3);
  s.add("mask area (mean, %)", 100 * mean(column(rows, "mask_area")), 1);
  s.add("mask area (median, %)", 100 * median(column(rows, "mask_area")), 1);
  std::vector<double> psnr = column(rows, "psnr");
  for (double& p : psnr) p = std::min(p, 100.0);  // identical images: infinity, capped
  s.add("PSNR highlight vs dense (mean, dB; 100 = identical)", mean(psnr), 2);
  s.add("SSIM highlight vs dense (mean)", mean(column(rows, "ssim")), 4);
  if (auto lp = column(rows, "lpips"); !lp.empty())
    s.add("LPIPS highlight vs dense (mean)", mean(lp), 4);
  if (fid) s.add("FID highlight images vs dense images", *fid, 3);
  for (int objects : {1, 2}) {
    std::vector<const Row*> sel;
    for (const auto& r : rows) {
      if (num(r, "objects") == objects && !std::isnan(num(r, "dense_fidelity"))) sel.push_back(&r);
    }
    if (sel.empty()) continue;
    double d = 0, h = 0;
    for (const Row* r : sel) d += num(*r, "dense_fidelity"), h += num(*r, "highlight_fidelity");
    const std::string label = objects == 1 ? "single-object" : "two-object";
    s.add("prompt fidelity, " + label + " (dense, %)", 100 * d / sel.size(), 1);
    s.add("prompt fidelity, " + label + " (highlight, %)", 100 * h / sel.size(), 1);
  }
  std::map<std::string, int> tokens;
  for (const auto& r : rows) tokens[r.at("token").empty() ? "(none)" : r.at("token")]++;
  std::vector<std::pair<int, std::string>> top;
  for (const auto& [t, n] : tokens) top.emplace_back(-n, t);
  std::sort(top.begin(), top.end());
  std::string most;
  for (size_t i = 0; i < std::min<size_t>(5, top.size()); ++i) {
    most += (i ? ", " : "") + top[i].second + " (" + std::to_string(-top[i].first) + ")";
  }
  s.add("most highlighted words", most);
  return s;
}

void write_or_throw(const std::string& text, const fs::path& p) {
  Status st = save_text(text, p.string());
  if (!st.ok()) throw std::runtime_error(st.message());
}

void write_summary(const fs::path& out, const std::vector<Row>& rows, const std::string& command,
                   const std::string& inception, int inception_size) {
  std::optional<double> fid;
  if (!inception.empty()) {
    FeatureNetwork net;
    Status st = net.load(inception, inception_size);
    double value = 0;
    if (st.ok())
      st = folder_fid(net, (out / "images" / "dense").string(),
                      (out / "images" / "highlight").string(), &value);
    if (!st.ok()) throw std::runtime_error("FID: " + st.message());
    fid = value;
  }
  const Summary s = summarise(rows, fid);
  std::ostringstream csv, md;
  csv << "metric,value\n";
  md << "# hd eval\n\n```\ncommand: " << command << "\nruntime: " << runtime_line()
     << "\n```\n\n| metric | value |\n|---|---|\n";
  for (const auto& [k, v] : s.items) {
    csv << quote(k) << ',' << quote(v) << '\n';
    md << "| " << k << " | " << v << " |\n";
  }
  write_or_throw(csv.str(), out / "summary.csv");
  write_or_throw(md.str(), out / "summary.md");
  std::printf("%s", md.str().c_str());
}

std::pair<int, int> parse_shard(const std::string& s) {
  const auto slash = s.find('/');
  try {
    if (slash != std::string::npos) {
      const int k = std::stoi(s.substr(0, slash)), n = std::stoi(s.substr(slash + 1));
      if (n >= 1 && k >= 0 && k < n) return {k, n};
    }
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--shard: '" + s + "' is not K/N with 0 <= K < N");
}

std::string eta_text(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, (s % 3600) / 60);
  else
    std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  return buf;
}

// The settings that decide a row's images. The first run into a folder writes them to
// DIR/settings.json; every later run (a resume, another shard) must ask for the same, or its
// rows would be mixed with rows of other images. --limit, --shard, --device, --threads and
// --cuda-graphs / --no-cuda-graphs may differ (they choose prompts or only change timings).
nlohmann::json run_settings(const Args& args) {
  return {{"model", fs::absolute(args.get_or("model", default_model_path())).lexically_normal()},
          {"prompts", fs::path(*args.get("prompts")).filename()},
          {"steps", args.get_int("steps", 50)},
          {"scheduler", scheduler_from(args)},
          {"guidance", args.get_double("guidance", 7.5)},
          {"seed", args.get_int64("seed", 0)},
          {"interval", args.get_int("interval", 5)},
          {"threshold", args.get_int("threshold", 150)},
          {"map-factors", args.get_or("map-factors", "")},
          {"precision", args.get_or("precision", "fp32")}};
}

void check_settings(const fs::path& out, const nlohmann::json& settings) {
  const fs::path file = out / "settings.json";
  if (!fs::exists(file)) {
    write_or_throw(settings.dump(2) + "\n", file);
    return;
  }
  std::ifstream in(file);
  nlohmann::json saved;
  try {
    saved = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(file.string() + ": not JSON: " + e.what());
  }
  for (const auto& [key, value] : settings.items()) {
    if (!saved.contains(key) || saved[key] != value) {
      const std::string was = saved.contains(key) ? saved[key].dump() : "nothing";
      throw std::invalid_argument(file.string() + ": the rows in this folder were made with " +
                                  key + " " + was + ", this run asks for " + value.dump() +
                                  "; resume with the same settings or use another --out");
    }
  }
}

int merge(const fs::path& out, const std::string& command, const std::string& inception,
          int inception_size) {
  std::vector<Row> rows;
  std::set<long> seen;
  if (!fs::is_directory(out / "rows"))
    throw std::invalid_argument((out / "rows").string() + ": no such folder (nothing to merge)");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(out / "rows")) {
    if (e.path().extension() == ".csv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    for (auto& r : read_rows(f)) {
      if (seen.insert(std::stol(r.at("index"))).second) rows.push_back(std::move(r));
    }
  }
  if (rows.empty()) throw std::invalid_argument((out / "rows").string() + ": no finished rows");
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::stol(a.at("index")) < std::stol(b.at("index"));
  });
  std::ostringstream csv;
  csv << kColumns << '\n';
  const auto names = split_csv(kColumns);
  for (const auto& r : rows) {
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string& v = r.count(names[i]) ? r.at(names[i]) : std::string();
      csv << (i ? "," : "") << (names[i] == "prompt" || names[i] == "token" ? quote(v) : v);
    }
    csv << '\n';
  }
  write_or_throw(csv.str(), out / "eval.csv");
  std::fprintf(stderr, "merged %zu rows from %zu shard files into %s\n", rows.size(), files.size(),
               (out / "eval.csv").c_str());
  write_summary(out, rows, command, inception, inception_size);
  return 0;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> specs = {
      {"prompts", true, false,
       "prompt file: .txt (one per line), .jsonl (with scene specs) or MS-COCO captions .json",
       "FILE"},
      {"out", true, false, "output folder (required); rows, images and summaries go there", "DIR"},
      {"shard", true, false, "run shard K of N (0 <= K < N): prompts with index % N == K", "K/N"},
      {"merge", false, false, "join every shard's rows and write the summary"},
      {"inception", true, false, "TorchScript Inception network: FID of highlight vs dense images",
       "FILE"},
      {"inception-size", true, false, "input size of that network (default 299)", "PX"},
      {"lpips", true, false, "TorchScript LPIPS network: perceptual distance per prompt", "FILE"}};
  for (auto& s : side_by_side_options()) specs.push_back(s);
  specs.push_back({"help", false, false, "show this help"});
  Args args(specs, argv);
  if (args.has("help")) {
    std::printf(
        "%s", usage("hd eval", "Dense vs highlight over a prompt file: rows, summary, FID.", specs)
                  .c_str());
    return 0;
  }
  if (!args.has("out")) throw std::invalid_argument("--out is required");
  const fs::path out = *args.get("out");
  const std::string inception = args.get_or("inception", "");
  const int inception_size = args.get_int("inception-size", 299);
  std::string command = "hd eval";
  for (const std::string& a : argv) command += " " + a;
  if (args.has("merge")) return merge(out, command, inception, inception_size);
  if (!args.has("prompts")) throw std::invalid_argument("--prompts is required (or --merge)");
  const auto [shard, shards] = parse_shard(args.get_or("shard", "0/1"));
  std::vector<PromptItem> prompts = read_prompt_file(*args.get("prompts"));
  if (const int limit = args.get_int("limit", 0);
      limit > 0 && limit < static_cast<int>(prompts.size()))
    prompts.resize(limit);

  std::unique_ptr<PerceptualDistance> lpips;
  if (args.has("lpips")) {
    lpips = std::make_unique<PerceptualDistance>();
    if (Status st = lpips->load(*args.get("lpips")); !st.ok())
      throw std::runtime_error(st.message());
  }
  fs::create_directories(out / "rows");
  check_settings(out, run_settings(args));
  const std::unique_ptr<Engine> loaded = load_engine(args);
  Engine& engine = *loaded;

  fs::create_directories(out / "images" / "dense");
  fs::create_directories(out / "images" / "highlight");
  const fs::path rows_file =
      out / "rows" / ("shard-" + std::to_string(shard) + "-of-" + std::to_string(shards) + ".csv");
  std::set<long> done;
  for (const auto& r : read_rows(rows_file)) done.insert(std::stol(r.at("index")));
  const bool fresh = !fs::exists(rows_file) || fs::file_size(rows_file) == 0;
  std::ofstream rows(rows_file, std::ios::app);
  if (!rows) throw std::runtime_error(rows_file.string() + ": cannot write");
  if (fresh) rows << kColumns << '\n' << std::flush;

  std::vector<size_t> todo;
  for (size_t i = shard; i < prompts.size(); i += shards) {
    if (!done.count(static_cast<long>(i))) todo.push_back(i);
  }
  std::fprintf(stderr, "hd eval: shard %d/%d, %zu prompts to run, %zu already done (%s)\n", shard,
               shards, todo.size(), done.size(), rows_file.c_str());
  const bool tty = ::isatty(fileno(stderr));
  const auto start = std::chrono::steady_clock::now();
  for (size_t n = 0; n < todo.size(); ++n) {
    const size_t i = todo[n];
    const PromptItem& item = prompts[i];
    const GenerateRequest req = side_by_side_request(args, item.caption, i);
    const SideBySide r = run_side_by_side(engine, req);
    char name[32];
    std::snprintf(name, sizeof name, "%05zu.png", i);
    for (const auto& [dir, result] :
         {std::pair{"dense", &r.dense}, std::pair{"highlight", &r.highlight}}) {
      if (Status st = save_png(result->image, (out / "images" / dir / name).string()); !st.ok())
        throw std::runtime_error(st.message());
    }
    std::string lp, dense_ok, hl_ok;
    if (lpips) {
      double d = 0;
      if (Status st = lpips->distance(r.dense.image, r.highlight.image, &d); !st.ok())
        throw std::runtime_error(st.message());
      lp = std::to_string(d);
    }
    if (!item.spec.empty()) {
      SceneCheck a, b;
      Status st = check_scene(r.dense.image, item.spec, &a);
      if (st.ok()) st = check_scene(r.highlight.image, item.spec, &b);
      if (!st.ok()) throw std::runtime_error(item.caption + ": " + st.message());
      dense_ok = a.ok ? "1" : "0";
      hl_ok = b.ok ? "1" : "0";
    }
    rows << i << ',' << req.seed << ',' << item.objects << ',' << r.dense.total_ms << ','
         << r.highlight.total_ms << ',' << r.speedup << ',' << r.highlight.full_steps << ','
         << r.highlight.partial_steps << ',' << r.full_step_ms << ','
         << (r.highlight.partial_steps ? std::to_string(r.partial_step_ms) : "") << ','
         << r.dense_step_ms << ',' << r.mac_ratio << ',' << r.mask_area << ',' << quote(r.token)
         << ',' << r.psnr << ',' << r.ssim << ',' << lp << ',' << dense_ok << ',' << hl_ok << ','
         << quote(item.caption) << '\n'
         << std::flush;  // a crash or Ctrl-C keeps every finished row
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta = elapsed / (n + 1) * (todo.size() - n - 1);
    const int width = 24, filled = static_cast<int>(width * (n + 1) / todo.size());
    std::fprintf(stderr, "%s[%s%s] %zu/%zu  ETA %s  %.2fx  mask %.1f%%  %s%s",
                 tty ? "\r\033[K" : "", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), n + 1, todo.size(),
                 eta_text(eta).c_str(), r.speedup, 100.0 * r.mask_area,
                 item.caption.substr(0, 40).c_str(), tty ? "" : "\n");
  }
  if (tty && !todo.empty()) std::fprintf(stderr, "\n");
  rows.close();
  if (shards == 1) return merge(out, command, inception, inception_size);
  std::fprintf(stderr, "shard %d/%d finished; run hd eval --merge --out %s when every shard has\n",
               shard, shards, out.c_str());
  return 0;
}

}  // namespace hd::cli
