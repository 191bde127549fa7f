// The default model's quality bars (issue 3), measured over held-out prompts with known
// answers: prompt fidelity by the scene checker, attention localisation (IoU of the noun's
// thresholded map at the collection step with the object's region), and generation time.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "training/word_reliance.h"
#include "training/word_separation.h"

namespace hd::train {

struct EvalOptions {
  std::filesystem::path model;    // diffusers folder
  std::filesystem::path prompts;  // .jsonl written by write_eval_prompts
  std::filesystem::path out;      // report folder: CSV, Markdown, sample sheet, images/NNNNN.png
  int steps = 50;
  std::string scheduler = "ddim";  // GenerateRequest::scheduler
  int threshold = 150;             // of the IoU's mask: HighlightOptions::threshold
  double guidance = 7.5;
  double guidance_rescale = -1.0;  // GenerateRequest::guidance_rescale (negative: automatic)
  int limit = 0;                  // 0: all prompts
  int size = 0;                   // image side in pixels; 0: the model's default
  uint64_t seed = 100;
  std::string device = "cpu";     // cpu or cuda
  std::vector<int> map_factors;   // HighlightOptions::map_factors of the IoU's maps
};

struct EvalSummary {
  int single = 0, single_ok = 0, pair = 0, pair_ok = 0;
  // Prompts whose every named object has the right colour / kind / position (each judged
  // alone: which part of fidelity a model misses).
  int colour_ok = 0, kind_ok = 0, position_ok = 0;
  double iou_mean = 0, iou_median = 0, iou_p25 = 0, iou_p75 = 0;
  double seconds_per_image = 0;  // dense, `steps` steps, text encoder and VAE included
  // Every named object: its kind -> the kind the checker saw there ("" when no region was
  // found) -> objects. Which shapes a model draws, and what it draws instead.
  std::map<std::string, std::map<std::string, int>> kinds;
  // How distinct the text encoder keeps the kind words and the colour words (word_separation
  // in "a large red ___ on a white background" and "a large ___ circle on a white background").
  WordSeparation kind_words, colour_words;
  // How much the UNet's denoising of an object relies on its kind and colour words
  // (word_reliance with its default options).
  WordRelianceReport reliance;
};

EvalSummary evaluate_model(const EvalOptions& options);

// Grades images written earlier (an evaluation's images/NNNNN.png, prompt N of `prompts`) with
// the scene checker as it is now: prompt fidelity alone, into out/grade.csv and out/grade.md.
// Without a limit it grades up to the first missing image (an interrupted evaluation).
struct GradeOptions {
  std::filesystem::path prompts;  // .jsonl written by write_eval_prompts
  std::filesystem::path images;   // folder of NNNNN.png
  std::filesystem::path out;      // report folder
  int limit = 0;                  // 0: every image there is
};
EvalSummary grade_images(const GradeOptions& options);

}  // namespace hd::train
