#include "progress.h"

#include <cstdio>

#include <unistd.h>

namespace hd::cli {

Progress::Progress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}

void Progress::step(const StepEvent& e) {
  if (quiet_) return;
  const int done = e.step + 1;
  const double per_step = e.elapsed_ms / done;
  const double eta_s = per_step * (e.total_steps - done) / 1000.0;
  if (tty_) {
    const int width = 30;
    const int filled = width * done / e.total_steps;
    std::fprintf(stderr, "\r[%.*s%.*s] %d/%d  t=%4d  %s %7.1f ms  %5.2f it/s  ETA %5.1f s", filled,
                 "##############################", width - filled, "..............................",
                 done, e.total_steps, e.timestep, e.mode == StepMode::kFull ? "full   " : "partial",
                 e.ms, 1000.0 / per_step, eta_s);
    open_line_ = true;
  } else {
    std::fprintf(stderr, "step %d/%d  t=%d  %s  %.1f ms  ETA %.1f s\n", done, e.total_steps, e.timestep,
                 e.mode == StepMode::kFull ? "full" : "partial", e.ms, eta_s);
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (open_line_) std::fputc('\n', stderr);
  open_line_ = false;
}

}  // namespace hd::cli
