#include "models/transformer_2d.h"

#include "models/macs.h"
#include "models/resnet.h"

namespace hd {

Transformer2DModelImpl::Transformer2DModelImpl(const Transformer2DModelOptions& options)
    : options_(options) {
  const int64_t inner = options.num_attention_heads * options.attention_head_dim;
  const int64_t c = options.in_channels;
  norm = register_module("norm", make_group_norm(options.norm_num_groups, c, 1e-6));
  if (options.use_linear_projection) {
    proj_in_linear = register_module("proj_in", torch::nn::Linear(c, inner));
  } else {
    proj_in_conv = register_module("proj_in", make_conv(c, inner, 1, 1, 0));
  }
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < options.num_layers; ++i) {
    BasicTransformerBlockOptions b;
    b.dim = inner;
    b.heads = options.num_attention_heads;
    b.dim_head = options.attention_head_dim;
    b.cross_attention_dim = options.cross_attention_dim;
    b.only_cross_attention = options.only_cross_attention;
    blocks.emplace_back(b);
    transformer_blocks->push_back(blocks.back());
  }
  if (options.use_linear_projection) {
    proj_out_linear = register_module("proj_out", torch::nn::Linear(inner, c));
  } else {
    proj_out_conv = register_module("proj_out", make_conv(inner, c, 1, 1, 0));
  }
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x,
                                              const torch::Tensor& context) {
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  // The tokens are the channels-last map's pixels (a view, no copy), and 1x1 projections run
  // as matrix products on them, as in the sparse engine's full pass: the output map comes
  // back channels-last.
  torch::Tensor h = norm->forward(x).contiguous(at::MemoryFormat::ChannelsLast);
  h = h.permute({0, 2, 3, 1}).reshape({B, H * W, C});  // [B, HW, C]
  h = proj_in_conv ? conv1x1_tokens(proj_in_conv, h)
                   : linear_forward(proj_in_linear, h);       // [B, HW, inner]
  for (auto& block : blocks) h = block->forward(h, context);  // [B, HW, inner]
  h = proj_out_conv ? conv1x1_tokens(proj_out_conv, h)
                    : linear_forward(proj_out_linear, h);    // [B, HW, C]
  return h.reshape({B, H, W, C}).permute({0, 3, 1, 2}) + x;  // [B, C, H, W]
}

}  // namespace hd
