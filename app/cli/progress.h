// Per-step progress on stderr: a bar on a terminal, one line per step otherwise.
#pragma once

#include "hd/engine.h"

namespace hd::cli {

class Progress {
 public:
  explicit Progress(bool quiet);
  void step(const StepEvent& e);
  void finish();

 private:
  bool quiet_;
  bool tty_;
  bool open_line_ = false;
};

}  // namespace hd::cli
