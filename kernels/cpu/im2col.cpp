#include "hd/kernels/im2col.h"

#include "cpu_common.h"

#include <cstring>

namespace hd::kernels {

void im2col_nhwc(const Im2ColParams& p, const ParallelFor& parallel) {
  const int64_t k = p.kernel, s = p.stride, C = p.channels, es = p.element_size;
  const int64_t oh = (p.height - k) / s + 1, ow = (p.width - k) / s + 1;
  if (oh <= 0 || ow <= 0 || p.batch <= 0) return;
  const auto* in = static_cast<const char*>(p.input);
  auto* out = static_cast<char*>(p.output);
  const int64_t pixel = C * es;       // bytes of one input pixel
  const int64_t row = k * k * pixel;  // bytes of one output row
  // One unit of work: one output image row (ow output pixels).
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t b = job / oh, y = job % oh;
      char* dst = out + job * ow * row;
      for (int64_t x = 0; x < ow; ++x) {
        for (int64_t ky = 0; ky < k; ++ky) {
          // The k pixels (ky, 0..k-1) are contiguous in the input row: one copy.
          const char* src = in + ((b * p.height + y * s + ky) * p.width + x * s) * pixel;
          std::memcpy(dst, src, static_cast<size_t>(k * pixel));
          dst += k * pixel;
        }
      }
    }
  };
  const int64_t jobs = p.batch * oh;
  // Small copies stay on the calling thread (forking costs more).
  cpu::run(jobs, jobs * ow * row >= (int64_t{1} << 16) ? parallel : ParallelFor(), body);
}

}  // namespace hd::kernels
