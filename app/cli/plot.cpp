#include "plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "hd/engine.h"

namespace hd::cli {
namespace {

const cv::Scalar kPalette[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148}};

std::string tick(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::abs(v) >= 100 ? "%.0f" : "%.3g", v);
  return buf;
}

}  // namespace

void write_plot(const std::string& path, const std::string& title, const std::string& x_label,
                const std::string& y_label, const std::vector<Series>& series) {
  const int W = 900, H = 560, left = 90, right = 30, top = 50, bottom = 70;
  cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  double x0 = 1e300, x1 = -1e300, y0 = 0, y1 = -1e300;
  for (const auto& s : series) {
    for (double v : s.x) x0 = std::min(x0, v), x1 = std::max(x1, v);
    for (double v : s.y) y1 = std::max(y1, v);
  }
  if (x0 > x1) x0 = 0, x1 = 1;
  if (x1 == x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  y1 *= 1.08;
  auto px = [&](double x) { return left + static_cast<int>((x - x0) / (x1 - x0) * (W - left - right)); };
  auto py = [&](double y) { return H - bottom - static_cast<int>((y - y0) / (y1 - y0) * (H - top - bottom)); };
  const cv::Scalar ink(40, 40, 40), grid(225, 225, 225);
  for (int i = 0; i <= 5; ++i) {
    const double xv = x0 + (x1 - x0) * i / 5, yv = y0 + (y1 - y0) * i / 5;
    cv::line(img, {px(xv), top}, {px(xv), H - bottom}, grid, 1);
    cv::line(img, {left, py(yv)}, {W - right, py(yv)}, grid, 1);
    cv::putText(img, tick(xv), {px(xv) - 15, H - bottom + 22}, cv::FONT_HERSHEY_SIMPLEX, 0.45, ink, 1, cv::LINE_AA);
    cv::putText(img, tick(yv), {10, py(yv) + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45, ink, 1, cv::LINE_AA);
  }
  cv::rectangle(img, {left, top}, {W - right, H - bottom}, ink, 1);
  cv::putText(img, title, {left, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.65, ink, 1, cv::LINE_AA);
  cv::putText(img, x_label, {W / 2 - 80, H - 20}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
  cv::putText(img, y_label, {10, top - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
  int legend_y = top + 20;
  for (const auto& s : series) {
    const cv::Scalar c = kPalette[s.color % 5];
    std::vector<cv::Point> pts;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) pts.emplace_back(px(s.x[i]), py(s.y[i]));
    if (s.lines && pts.size() > 1) cv::polylines(img, pts, false, c, 2, cv::LINE_AA);
    for (const auto& p : pts) cv::circle(img, p, 4, c, cv::FILLED, cv::LINE_AA);
    cv::circle(img, {W - right - 220, legend_y - 4}, 5, c, cv::FILLED, cv::LINE_AA);
    cv::putText(img, s.label, {W - right - 208, legend_y}, cv::FONT_HERSHEY_SIMPLEX, 0.45, ink, 1, cv::LINE_AA);
    legend_y += 20;
  }
  cv::Mat rgb;
  cv::cvtColor(img, rgb, cv::COLOR_BGR2RGB);
  Image out;
  out.width = rgb.cols;
  out.height = rgb.rows;
  out.rgb.assign(rgb.data, rgb.data + rgb.total() * 3);
  if (const Status st = save_png(out, path); !st.ok()) throw std::runtime_error(st.message());
}

}  // namespace hd::cli
