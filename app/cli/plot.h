// Minimal PNG charts for benchmark reports (OpenCV drawing): series of (x, y) points with
// axes, ticks, labels and a legend.
#pragma once

#include <string>
#include <vector>

namespace hd::cli {

struct Series {
  std::string label;
  std::vector<double> x, y;
  bool lines = true;  // connect the points
  int color = 0;      // palette index
};

// Throws std::runtime_error naming the file when it cannot be written.
void write_plot(const std::string& path, const std::string& title, const std::string& x_label,
                const std::string& y_label, const std::vector<Series>& series);

}  // namespace hd::cli
