#include "training/evaluate_model.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "data/scene.h"
#include "data/scene_checker.h"
#include "data/spec_json.h"
#include "hd/engine.h"
#include "io/atomic_file.h"
#include "io/png_file.h"

namespace hd::train {
namespace fs = std::filesystem;

namespace {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * (v.size() - 1) + 0.5)];
}

// IoU of the refined mask (latent resolution) with an object region (image resolution).
double mask_iou(const ByteMask& mask, const cv::Mat& region) {
  if (region.empty()) return 0.0;
  cv::Mat small;
  cv::resize(region, small, {mask.width, mask.height}, 0, 0, cv::INTER_AREA);
  int inter = 0, uni = 0;
  for (int y = 0; y < mask.height; ++y) {
    for (int x = 0; x < mask.width; ++x) {
      const bool a = mask.data[y * mask.width + x] != 0, b = small.at<uint8_t>(y, x) >= 128;
      inter += a && b;
      uni += a || b;
    }
  }
  return uni ? static_cast<double>(inter) / uni : 0.0;
}

// One prompt's verdict, counted into `s`: whether it passed, and the kinds seen ("circle;star").
struct Verdict {
  bool colour = true, kind = true, position = true;
  std::string predicted;
};
Verdict tally(const data::SceneSpec& spec, const data::CheckResult& check, EvalSummary& s) {
  Verdict v;
  for (size_t k = 0; k < check.objects.size(); ++k) {
    const auto& oc = check.objects[k];
    ++s.kinds[spec.objects[k].kind][oc.predicted_kind];
    v.predicted += (k ? ";" : "") + oc.predicted_kind;
    v.colour = v.colour && oc.colour_ok;
    v.kind = v.kind && oc.kind_ok;
    v.position = v.position && oc.position_ok;
  }
  s.colour_ok += v.colour;
  s.kind_ok += v.kind;
  s.position_ok += v.position;
  if (spec.objects.size() == 1) {
    ++s.single;
    s.single_ok += check.ok;
  } else {
    ++s.pair;
    s.pair_ok += check.ok;
  }
  return v;
}

std::string quoted(std::string caption) {
  std::replace(caption.begin(), caption.end(), '"', '\'');
  return "\"" + caption + "\"";
}

// The prompts of a .jsonl written by write_eval_prompts (the first `limit`; 0: all), read
// before any work so that a bad line is named at once.
struct EvalPrompt {
  data::SceneSpec spec;
  std::string caption;
};
std::vector<EvalPrompt> read_prompts(const fs::path& file, int limit) {
  std::ifstream in(file);
  if (!in) fail(file.string(), ": cannot read the prompts");
  std::vector<EvalPrompt> prompts;
  std::string line;
  for (int n = 1;
       std::getline(in, line) && (limit <= 0 || static_cast<int>(prompts.size()) < limit); ++n) {
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      prompts.push_back({data::spec_from_json(j), j.at("caption").get<std::string>()});
    } catch (const std::exception& e) {
      fail(file.string(), ":", n, ": ", e.what());
    }
  }
  return prompts;
}

std::string image_name(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "%05d.png", index);
  return name;
}

// summary.md's fidelity lines.
std::string fidelity_markdown(const EvalSummary& s) {
  std::ostringstream md;
  char row[512];
  std::snprintf(row, sizeof row, "- prompt fidelity, single objects: %d / %d (%.1f%%; bar 80%%)\n",
                s.single_ok, s.single, 100.0 * s.single_ok / std::max(1, s.single));
  md << row;
  std::snprintf(row, sizeof row, "- prompt fidelity, two objects: %d / %d (%.1f%%; bar 60%%)\n",
                s.pair_ok, s.pair, 100.0 * s.pair_ok / std::max(1, s.pair));
  md << row;
  const double prompts = std::max(1, s.single + s.pair);
  std::snprintf(
      row, sizeof row,
      "- right colour %.1f%%, kind %.1f%%, position %.1f%% of the prompts (every named object)\n",
      100.0 * s.colour_ok / prompts, 100.0 * s.kind_ok / prompts, 100.0 * s.position_ok / prompts);
  md << row;
  return md.str();
}

// summary.md's table of the kinds drawn.
std::string kinds_markdown(const EvalSummary& s) {
  std::ostringstream md;
  char row[512];
  md << "\n| kind | objects | drawn as that kind | most often seen instead |\n|---|---|---|---|\n";
  for (const auto& [kind, seen] : s.kinds) {
    int objects = 0, right = 0, other = 0;
    std::string instead = "-";
    for (const auto& [as, n] : seen) {
      objects += n;
      if (as == kind) {
        right = n;
      } else if (n > other) {
        other = n;
        instead = as.empty() ? "nothing found" : as;
      }
    }
    std::snprintf(row, sizeof row, "| %s | %d | %.0f%% | %s |\n", kind.c_str(), objects,
                  100.0 * right / objects, instead.c_str());
    md << row;
  }
  return md.str();
}

}  // namespace

EvalSummary evaluate_model(const EvalOptions& o) {
  EngineOptions eo;
  if (o.device == "cuda") {
    eo.device = Device::kCuda;
  } else if (o.device != "cpu") {
    fail("--device: '", o.device, "' is neither cpu nor cuda");
  }
  Engine engine(eo);
  Status st = engine.load(o.model.string());
  if (!st.ok()) fail(st.message());
  const std::vector<EvalPrompt> prompts = read_prompts(o.prompts, o.limit);
  fs::create_directories(o.out / "images");
  // Rows are appended and flushed as they finish: an interrupted run keeps what it measured.
  std::ofstream csv(o.out / "eval.csv", std::ios::trunc);
  if (!csv) fail((o.out / "eval.csv").string(), ": cannot write");
  csv << "index,objects,ok,colour_ok,kind_ok,position_ok,iou,seconds,predicted_kinds,caption\n";
  EvalSummary s;
  std::vector<double> ious, seconds;
  std::vector<cv::Mat> sheet;
  int width = 0, height = 0;  // of the images generated (the model's default unless o.size)
  int index = 0;
  for (const auto& [spec, caption] : prompts) {
    GenerateRequest req;
    req.prompt = caption;
    req.steps = o.steps;
    req.scheduler = o.scheduler;
    req.guidance_scale = static_cast<float>(o.guidance);
    req.guidance_rescale = static_cast<float>(o.guidance_rescale);
    req.seed = static_cast<int64_t>(o.seed) + index;
    req.width = req.height = o.size;
    // Dense in effect (a full step every step) while the maps are captured at 20% and the
    // first object's noun is thresholded as the method does.
    req.highlight.enabled = true;
    req.highlight.interval = 1;
    req.highlight.threshold = o.threshold;
    req.highlight.tokens = {spec.objects.front().kind};
    req.highlight.map_factors = o.map_factors;
    GenerateResult r;
    if (!(st = engine.generate(req, &r)).ok()) fail(caption, ": ", st.message());
    cv::Mat rgb(r.image.height, r.image.width, CV_8UC3, r.image.rgb.data());
    width = r.image.width;
    height = r.image.height;
    write_png(o.out / "images" / image_name(index), rgb.data, rgb.cols, rgb.rows, 3,
              PixelOrder::kRgb, rgb.step);
    const data::CheckResult check = data::check_scene(rgb.clone(), spec);
    const double iou = r.attention ? mask_iou(r.attention->mask.refined, check.objects.front().mask) : 0.0;
    const Verdict v = tally(spec, check, s);
    ious.push_back(iou);
    seconds.push_back(r.total_ms / 1000.0);
    csv << index << ',' << spec.objects.size() << ',' << check.ok << ',' << v.colour << ','
        << v.kind << ',' << v.position << ',' << iou << ',' << r.total_ms / 1000.0 << ','
        << v.predicted << ',' << quoted(caption) << std::endl;
    if (sheet.size() < 24) {
      cv::Mat framed = rgb.clone();  // RGB, framed green (passed) or red
      cv::rectangle(framed, {0, 0}, {framed.cols - 1, framed.rows - 1},
                    check.ok ? cv::Scalar(0, 160, 0) : cv::Scalar(200, 0, 0), 3);
      sheet.push_back(framed);
    }
    std::fprintf(stderr, "[%d] %s  %s  IoU %.2f  %.1f s\n", index + 1, check.ok ? "ok  " : "miss", caption.c_str(), iou,
                 r.total_ms / 1000.0);
    ++index;
  }
  s.iou_mean = ious.empty() ? 0 : std::accumulate(ious.begin(), ious.end(), 0.0) / ious.size();
  s.iou_median = quantile(ious, 0.5);
  s.iou_p25 = quantile(ious, 0.25);
  s.iou_p75 = quantile(ious, 0.75);
  s.seconds_per_image = quantile(seconds, 0.5);
  std::ostringstream md;
  char row[512];
  md << "# Quality bars of " << o.model.string() << "\n\n"
     << index << " held-out prompts of " << o.prompts.string() << ", dense "
     << (o.scheduler == "ddim" ? "DDIM" : o.scheduler) << " " << o.steps << " steps, " << width
     << "x" << height << ", guidance " << o.guidance
     << (o.guidance_rescale >= 0
             ? ", guidance rescale " + std::to_string(o.guidance_rescale).substr(0, 4)
             : std::string(", guidance rescale automatic"))
     << "\n\n";
  md << fidelity_markdown(s);
  std::snprintf(
      row, sizeof row,
      "- attention IoU: mean %.3f (bar 0.5), quartiles %.3f / %.3f / %.3f (mask threshold "
      "%d)\n",
      s.iou_mean, s.iou_p25, s.iou_median, s.iou_p75, o.threshold);
  md << row;
  std::snprintf(row, sizeof row, "- median time per image: %.2f s\n", s.seconds_per_image);
  md << row;
  md << kinds_markdown(s);
  const std::vector<WordSeparation> words =
      word_separation(o.model, {{data::kinds(), "a large red ", " on a white background"},
                                {data::colours(), "a large ", " circle on a white background"}});
  s.kind_words = words[0];
  s.colour_words = words[1];
  md << "\nHow distinct the text encoder keeps the words (cosine similarity of their final hidden "
        "states in \"a large red ___ on a white background\" and \"a large ___ circle on a white "
        "background\"; 1: the UNet reads the same for both):\n\n| words | mean | closest pair |\n"
        "|---|---|---|\n";
  for (const auto& [name, w] :
       {std::pair{"kinds", s.kind_words}, std::pair{"colours", s.colour_words}}) {
    std::snprintf(row, sizeof row, "| %s | %.3f | %s / %s, %.3f |\n", name, w.mean_cos,
                  w.closest_a.c_str(), w.closest_b.c_str(), w.max_cos);
    md << row;
  }
  const WordRelianceOptions ro;
  s.reliance = word_reliance(o.model, ro);
  md << "\nHow much the UNet relies on the words (" << ro.scenes
     << " held-out scenes of one object, noised to";
  for (const double level : ro.levels) md << ' ' << level;
  md << " of the schedule: mean squared error of its clean-latent prediction over the object, "
        "from the scene's caption and with the word swapped for "
     << ro.swaps
     << " others of its class; 0%: the word changes nothing):\n\n"
        "| words | error, right word | error, swapped | worse by |\n|---|---|---|---|\n";
  for (const auto& [name, r] :
       {std::pair{"kinds", s.reliance.kinds}, std::pair{"colours", s.reliance.colours}}) {
    std::snprintf(row, sizeof row, "| %s | %.4f | %.4f | %.1f%% |\n", name, r.right, r.swapped,
                  100 * r.gain());
    md << row;
  }
  const std::string text = md.str();
  write_file_atomic(o.out / "summary.md", text.data(), text.size());
  if (!sheet.empty()) {
    while (sheet.size() % 8) sheet.push_back(cv::Mat(sheet[0].size(), sheet[0].type(), cv::Scalar(255, 255, 255)));
    std::vector<cv::Mat> rows;
    for (size_t i = 0; i < sheet.size(); i += 8) {
      cv::Mat row;
      cv::hconcat(std::vector<cv::Mat>(sheet.begin() + i, sheet.begin() + i + 8), row);
      rows.push_back(row);
    }
    cv::Mat all;
    cv::vconcat(rows, all);
    write_png(o.out / "samples.png", all.data, all.cols, all.rows, 3, PixelOrder::kRgb, all.step);
  }
  return s;
}

EvalSummary grade_images(const GradeOptions& o) {
  const std::vector<EvalPrompt> prompts = read_prompts(o.prompts, o.limit);
  fs::create_directories(o.out);
  std::ofstream csv(o.out / "grade.csv", std::ios::trunc);
  if (!csv) fail((o.out / "grade.csv").string(), ": cannot write");
  csv << "index,objects,ok,colour_ok,kind_ok,position_ok,predicted_kinds,caption\n";
  EvalSummary s;
  int index = 0;
  for (const auto& [spec, caption] : prompts) {
    const fs::path image = o.images / image_name(index);
    if (!fs::exists(image)) {
      if (o.limit > 0 || index == 0)
        fail(image.string(), ": no image for prompt ", index, " of ", o.prompts.string());
      break;  // a partial evaluation: grade what it wrote
    }
    const RgbImage img = read_png_rgb(image);
    const cv::Mat rgb(img.height, img.width, CV_8UC3, const_cast<uint8_t*>(img.rgb.data()));
    const data::CheckResult check = data::check_scene(rgb, spec);
    const Verdict v = tally(spec, check, s);
    csv << index << ',' << spec.objects.size() << ',' << check.ok << ',' << v.colour << ','
        << v.kind << ',' << v.position << ',' << v.predicted << ',' << quoted(caption) << '\n';
    ++index;
  }
  std::ostringstream md;
  md << "# Prompt fidelity of " << o.images.string() << "\n\n"
     << index << " images graded against " << o.prompts.string() << "\n\n"
     << fidelity_markdown(s) << kinds_markdown(s);
  const std::string text = md.str();
  write_file_atomic(o.out / "grade.md", text.data(), text.size());
  return s;
}

}  // namespace hd::train
