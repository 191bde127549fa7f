// The element order shared by the one-thread-per-element kernels (CUDA) and their fp16 CPU
// twins: a flat index over a batch of windows [B * N, C, h, w], laid out NCHW or
// channels-last, split into (sample, window, channel, row, column).
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define HD_HOST_DEVICE __host__ __device__
#else
#define HD_HOST_DEVICE
#endif

namespace hd::kernels {

struct WindowIndex {
  int64_t b, n, c, i, j;
};

// idx over [B, N, h, w, C] (channels_last) or [B, N, C, h, w].
HD_HOST_DEVICE inline WindowIndex unravel_window(int64_t idx, int64_t N, int64_t C, int64_t h,
                                                 int64_t w, bool channels_last) {
  WindowIndex r;
  if (channels_last) {
    r.c = idx % C;
    r.j = (idx / C) % w;
    r.i = (idx / (C * w)) % h;
    r.n = (idx / (C * w * h)) % N;
    r.b = idx / (C * w * h * N);
  } else {
    r.j = idx % w;
    r.i = (idx / w) % h;
    r.c = (idx / (w * h)) % C;
    r.n = (idx / (w * h * C)) % N;
    r.b = idx / (w * h * C * N);
  }
  return r;
}

}  // namespace hd::kernels
