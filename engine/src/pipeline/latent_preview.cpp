#include "pipeline/latent_preview.h"

#include <torch/torch.h>

namespace hd {

LatentPreview::LatentPreview(AutoencoderKL& vae) {
  torch::NoGradGuard no_grad;
  // 27 flat colours (3 levels per channel), small images: a few ms of encoding.
  std::vector<float> levels = {-0.9f, 0.0f, 0.9f};
  std::vector<torch::Tensor> images, rgbs;
  for (float r : levels) {
    for (float g : levels) {
      for (float b : levels) {
        torch::Tensor c = torch::tensor({r, g, b});
        rgbs.push_back((c + 1) / 2);
        images.push_back(c.view({3, 1, 1}).expand({3, 32, 32}));
      }
    }
  }
  auto device = vae->decoder->conv_in->weight.device();
  torch::Tensor x = torch::stack(images).to(device);                            // [27, 3, 32, 32]
  torch::Tensor z = vae->to_diffusion_latents(vae->encode(x).mean);            // [27, C, 8*, 8*]
  torch::Tensor feats = z.mean({2, 3}).to(torch::kCPU);                          // [27, C]
  torch::Tensor a = torch::cat({feats, torch::ones({feats.size(0), 1})}, 1);   // [27, C+1]
  torch::Tensor y = torch::stack(rgbs);                                          // [27, 3]
  weight_ = std::get<0>(torch::linalg_lstsq(a, y));                              // [C+1, 3]
}

Image LatentPreview::render(const torch::Tensor& latents) const {
  torch::NoGradGuard no_grad;
  torch::Tensor z = latents[0].to(torch::kCPU, torch::kFloat32);  // [C, h, w]
  const int64_t C = z.size(0), h = z.size(1), w = z.size(2);
  torch::Tensor a = torch::cat({z.reshape({C, h * w}).t(), torch::ones({h * w, 1})}, 1);  // [hw, C+1]
  torch::Tensor rgb = a.matmul(weight_).clamp(0, 1);                                       // [hw, 3]
  Image img;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  torch::Tensor u8 = (rgb * 255).round().to(torch::kUInt8).contiguous();
  img.rgb.assign(u8.data_ptr<uint8_t>(), u8.data_ptr<uint8_t>() + u8.numel());
  return img;
}

}  // namespace hd
