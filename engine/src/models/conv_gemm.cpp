#include "models/conv_gemm.h"

#include "models/packed_gemm.h"

#include "common/torch_parallel.h"
#include "hd/kernels/im2col.h"

#include <vector>

#include <torch/torch.h>

namespace hd {

namespace {
// Thresholds measured on this project's CPU (see the header).
constexpr int64_t kGemmMinChannels = 1024;  // dense maps: from SD's 1280-channel levels
constexpr int64_t kGemmMaxPixels = 256;     // up to 16x16 outputs per image
// Narrow layers build their columns with hdkernels' im2col (one call instead of 2 k^2 view
// and stack operators): the embedded model's 5% partial step 7.8-8.1 -> 7.1 ms, 20% 16.5-17.3
// -> 15.3-15.5 ms (hd bench masks --model resources/models/hd-shapes, alternating runs). On
// SD v1.4's 320-1280 channel layers the same kernel made a 5% step slower (337 -> 363-368 ms,
// alternating runs, unexplained: the per-part profile showed the convolutions faster), so
// wide layers keep the stacked views.
constexpr int64_t kIm2ColMaxChannels = 256;
}  // namespace

bool prefer_conv_gemm(const torch::nn::Conv2d& conv, const torch::Tensor& x, int64_t pixels) {
  const auto& o = conv->options;
  const bool dtype = x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kBFloat16;
  return x.device().is_cpu() && dtype && (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1 && o.groups() == 1 &&
         (*o.kernel_size())[0] == (*o.kernel_size())[1] && (*o.stride())[0] == (*o.stride())[1] &&
         conv->weight.size(1) >= kGemmMinChannels && pixels <= kGemmMaxPixels &&
         conv->weight.is_contiguous(at::MemoryFormat::ChannelsLast);  // used in place as a matrix
}

torch::Tensor conv2d_gemm(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  const auto& o = conv->options;
  const int64_t stride = (*o.stride())[0];
  const int64_t k = (*o.kernel_size())[0];
  const auto& w = conv->weight;  // [Cout, Cin, k, k]
  const int64_t B = x.size(0), Cin = w.size(1), Cout = w.size(0);
  const int64_t oh = (x.size(2) - k) / stride + 1, ow = (x.size(3) - k) / stride + 1;
  // Channels-last x is [B, h, w, Cin] in memory: each (ky, kx) shift is a strided view, and
  // stacking them gives the columns in (ky, kx, cin) order, the memory order of a
  // channels-last weight [Cout, k, k, Cin] -- so the weight is used in place.
  torch::Tensor nhwc = x.permute({0, 2, 3, 1});  // [B, h, w, Cin]
  torch::Tensor cols;
  if (k == 1 && stride == 1) {
    cols = nhwc.reshape({B * oh * ow, Cin});
  } else if (x.device().is_cpu() && Cin < kIm2ColMaxChannels &&
             x.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    cols = torch::empty({B * oh * ow, k * k * Cin}, x.options());  // [M, k*k*Cin]
    kernels::Im2ColParams p;
    p.input = x.data_ptr();
    p.batch = B, p.height = x.size(2), p.width = x.size(3), p.channels = Cin;
    p.element_size = x.element_size();
    p.kernel = k, p.stride = stride;
    p.output = cols.data_ptr();
    kernels::im2col_nhwc(p, torch_parallel());
  } else {
    std::vector<torch::Tensor> shifts;
    for (int64_t ky = 0; ky < k; ++ky) {
      for (int64_t kx = 0; kx < k; ++kx) {
        shifts.push_back(
            nhwc.slice(1, ky, ky + stride * (oh - 1) + 1, stride)
                .slice(2, kx, kx + stride * (ow - 1) + 1, stride));  // [B, oh, ow, Cin]
      }
    }
    cols = torch::stack(shifts, 3).reshape({B * oh * ow, k * k * Cin});  // [M, k*k*Cin]
  }
  torch::Tensor wmat =
      w.permute({0, 2, 3, 1}).reshape({Cout, k * k * Cin});  // a view when channels-last
  torch::Tensor y = gemm_nt(cols, wmat, o.bias() ? conv->bias : torch::Tensor(), w);  // [M, Cout]
  return y.view({B, oh, ow, Cout}).permute({0, 3, 1, 2});  // channels-last [B, Cout, oh, ow]
}

}  // namespace hd
