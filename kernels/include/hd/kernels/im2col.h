// im2col for channels-last maps, on raw pointers: the columns of a k x k convolution without
// padding (the input carries any halo), one row per output pixel.
//
// A convolution as im2col + GEMM (engine/src/models/conv_gemm.h) used to build its columns
// from k * k strided views stacked by libtorch: 2 k^2 operator calls per convolution, which
// on a partial step's small tile batches cost more than the copy itself.
#pragma once

#include <cstdint>

#include "hd/kernels/gather_scatter.h"  // ParallelFor

namespace hd::kernels {

struct Im2ColParams {
  const void* input = nullptr;  // [B, H, W, C] in memory (a channels-last [B, C, H, W] map)
  int64_t batch = 0, height = 0, width = 0, channels = 0;
  int64_t element_size = 4;  // bytes per element (any type: the kernel only copies)
  int64_t kernel = 1, stride = 1;
  void* output = nullptr;  // [B * out_h * out_w, kernel * kernel * C], row-major, with
                           // columns in (ky, kx, c) order (a channels-last weight's order)
};

// out_h = (height - kernel) / stride + 1, likewise out_w.
void im2col_nhwc(const Im2ColParams& p, const ParallelFor& parallel);

}  // namespace hd::kernels
