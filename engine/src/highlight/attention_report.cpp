#include "highlight/attention_report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/error.h"
#include "highlight/nouns.h"

namespace hd {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const char* statistic_name(TokenStatistic s) {
  switch (s) {
    case TokenStatistic::kVariance: return "variance";
    case TokenStatistic::kSum: return "sum";
    case TokenStatistic::kMax: return "max";
  }
  return "?";
}

float statistic(const TokenInfo& t, TokenStatistic s) {
  return s == TokenStatistic::kSum ? t.sum : s == TokenStatistic::kMax ? t.max : t.variance;
}

std::string format_value(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

AttentionReport make_attention_report(const torch::Tensor& maps, const TokenizedText& text, int step) {
  AttentionReport r;
  r.step = step;
  r.words = text.words;
  r.truncated = text.truncated;
  const int64_t H = maps.size(1), W = maps.size(2);
  const int n = std::min<int>(text.num_kept_tokens + 2, static_cast<int>(maps.size(0)));  // BOS..EOS
  const std::vector<bool> nouns = noun_candidates(text.words);
  torch::Tensor m = maps.to(torch::kCPU, torch::kFloat32).contiguous();
  for (int i = 0; i < n; ++i) {
    TokenInfo t;
    t.text = text.tokens[i];
    t.word = text.word_index[i];
    t.candidate = t.word >= 0 && t.word < static_cast<int>(nouns.size()) && nouns[t.word];
    torch::Tensor map = m[i];  // [H, W]
    t.sum = map.sum().item<float>();
    t.max = map.max().item<float>();
    t.variance = map.var(/*unbiased=*/false).item<float>();
    FloatMap fm;
    fm.width = static_cast<int>(W);
    fm.height = static_cast<int>(H);
    fm.data.assign(map.data_ptr<float>(), map.data_ptr<float>() + H * W);
    r.tokens.push_back(std::move(t));
    r.maps.push_back(std::move(fm));
  }
  return r;
}

void select_and_mask(AttentionReport& r, const HighlightOptions& o) {
  if (r.maps.empty()) fail("no attention maps to build a mask from");
  const int H = r.maps[0].height, W = r.maps[0].width;
  for (auto& t : r.tokens) t.selected = false;

  std::vector<int> chosen;
  if (!o.tokens.empty()) {
    std::vector<std::string> missing;
    for (const std::string& want : o.tokens) {
      bool found = false;
      for (size_t i = 0; i < r.tokens.size(); ++i) {
        const int w = r.tokens[i].word;
        if (w >= 0 && lower(r.words[w]) == lower(want)) {
          chosen.push_back(static_cast<int>(i));
          found = true;
        }
      }
      if (!found) missing.push_back(want);
    }
    if (!missing.empty()) {
      std::string words;
      for (const auto& w : r.words) words += (words.empty() ? "" : ", ") + w;
      fail("highlight word '", missing.front(), "' is not in the prompt (its words: ", words, ")");
    }
    r.reason = "chosen by the user";
  } else {
    int best = -1;
    std::string names;
    for (size_t i = 0; i < r.tokens.size(); ++i) {
      if (!r.tokens[i].candidate) continue;
      names += (names.empty() ? "" : ", ") + r.tokens[i].text;
      if (best < 0 || statistic(r.tokens[i], o.statistic) > statistic(r.tokens[best], o.statistic)) {
        best = static_cast<int>(i);
      }
    }
    std::string pool = "nouns " + names;
    if (best < 0) {  // no noun: fall back to every prompt token
      for (size_t i = 1; i + 1 < r.tokens.size(); ++i) {
        if (best < 0 || statistic(r.tokens[i], o.statistic) > statistic(r.tokens[best], o.statistic)) {
          best = static_cast<int>(i);
        }
      }
      pool = "all tokens (the prompt has no noun)";
    }
    if (best >= 0) {
      chosen.push_back(best);
      r.reason = str(r.tokens[best].text, ": highest ", statistic_name(o.statistic), " (",
                     format_value(statistic(r.tokens[best], o.statistic)), ") among ", pool);
    }
  }

  MaskReport& mask = r.mask;
  mask = MaskReport{};
  mask.raw.width = mask.refined.width = W;
  mask.raw.height = mask.refined.height = H;
  if (chosen.empty()) {  // empty prompt: nothing to highlight, everything is computed
    mask.raw.data.assign(static_cast<size_t>(H) * W, 255);
    mask.refined.data = mask.raw.data;
    mask.area = 1.0f;
    r.reason = "empty prompt: the whole image is computed";
    return;
  }
  cv::Mat sum = cv::Mat::zeros(H, W, CV_32F);
  for (int i : chosen) {
    r.tokens[i].selected = true;
    sum += cv::Mat(H, W, CV_32F, r.maps[i].data.data());
  }
  double lo = 0, hi = 0;
  cv::minMaxLoc(sum, &lo, &hi);
  cv::Mat norm;
  sum.convertTo(norm, CV_32F, hi > lo ? 255.0 / (hi - lo) : 0.0, hi > lo ? -lo * 255.0 / (hi - lo) : 0.0);
  cv::Mat raw = norm >= static_cast<float>(o.threshold);  // CV_8U 0/255

  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(raw, labels, stats, centroids, 8, CV_32S);
  const double min_px = o.min_area * H * W;
  std::vector<bool> keep(n, false);
  int largest = -1;
  for (int c = 1; c < n; ++c) {
    const int area = stats.at<int>(c, cv::CC_STAT_AREA);
    keep[c] = area >= min_px;
    if (largest < 0 || area > stats.at<int>(largest, cv::CC_STAT_AREA)) largest = c;
  }
  // If every region is under the limit, the largest one stays: an empty mask would hide the
  // highlighted object entirely.
  if (largest > 0 && std::none_of(keep.begin(), keep.end(), [](bool k) { return k; })) keep[largest] = true;
  cv::Mat refined = cv::Mat::zeros(H, W, CV_8U);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      if (keep[labels.at<int>(y, x)]) refined.at<uint8_t>(y, x) = 255;
    }
  }
  mask.raw.data.assign(raw.data, raw.data + static_cast<size_t>(H) * W);
  mask.refined.data.assign(refined.data, refined.data + static_cast<size_t>(H) * W);
  mask.area = static_cast<float>(cv::countNonZero(refined)) / (H * W);
}

}  // namespace hd
