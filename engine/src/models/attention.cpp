#include "models/attention.h"

#include "models/macs.h"

namespace hd {

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t inner_dim) {
  net = register_module("net", torch::nn::ModuleList());
  geglu = GEGLU(dim, inner_dim);
  proj_out = torch::nn::Linear(inner_dim, dim);
  net->push_back(geglu);
  net->push_back(torch::nn::Dropout(0.0));
  net->push_back(proj_out);
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  return linear_forward(proj_out, geglu->forward(x));
}

namespace {
torch::nn::LayerNorm make_layer_norm(int64_t dim, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps).elementwise_affine(true));
}
}  // namespace

BasicTransformerBlockImpl::BasicTransformerBlockImpl(const BasicTransformerBlockOptions& options)
    : options_(options) {
  const int64_t dim = options.dim;
  norm1 = register_module("norm1", make_layer_norm(dim, options.norm_eps));
  AttentionOptions a1;
  a1.query_dim = dim;
  a1.heads = options.heads;
  a1.dim_head = options.dim_head;
  a1.bias = options.attention_bias;
  a1.cross_attention_dim = options.only_cross_attention ? options.cross_attention_dim : 0;
  attn1 = register_module("attn1", Attention(a1));

  norm2 = register_module("norm2", make_layer_norm(dim, options.norm_eps));
  AttentionOptions a2 = a1;
  a2.cross_attention_dim = options.cross_attention_dim;
  attn2 = register_module("attn2", Attention(a2));

  norm3 = register_module("norm3", make_layer_norm(dim, options.norm_eps));
  ff = register_module("ff", FeedForward(dim, 4 * dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x,
                                                 const torch::Tensor& context) {
  torch::Tensor h = x;
  torch::Tensor n = norm1->forward(h);
  h = attn1->forward(n, options_.only_cross_attention ? context : torch::Tensor()) + h;
  n = norm2->forward(h);
  h = attn2->forward(n, context) + h;
  n = norm3->forward(h);
  return ff->forward(n) + h;
}

}  // namespace hd
