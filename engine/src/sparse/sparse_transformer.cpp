#include "sparse/sparse_transformer.h"

#include <optional>

#include <torch/torch.h>

#include "common/error.h"
#include "models/macs.h"
#include "sparse/part_profile.h"
#include "sparse/sparse_ops.h"

namespace hd {

torch::Tensor SparseTransformer::proj_in_tokens(const torch::Tensor& tokens) {
  return m_->proj_in_conv ? conv1x1_tokens(m_->proj_in_conv, tokens) : linear_forward(m_->proj_in_linear, tokens);
}

torch::Tensor SparseTransformer::proj_out_tokens(const torch::Tensor& tokens) {
  return m_->proj_out_conv ? conv1x1_tokens(m_->proj_out_conv, tokens)
                           : linear_forward(m_->proj_out_linear, tokens);
}

torch::Tensor SparseTransformer::forward_full(const torch::Tensor& x, const torch::Tensor& context) {
  const int64_t H = x.size(2), W = x.size(3);
  NormAffine gn = group_norm_affine(x.contiguous(kSparseFormat), m_->norm);
  moved_ = keep_cache(scale_, gn.scale);
  moved_ |= keep_cache(shift_, gn.shift);
  torch::Tensor tokens = to_tokens(gn.normed.contiguous(kSparseFormat));  // [B, HW, C]
  torch::Tensor h = proj_in_tokens(tokens);                                                    // [B, HW, inner]
  caches_.resize(m_->blocks.size());
  for (size_t j = 0; j < m_->blocks.size(); ++j) {
    auto& blk = m_->blocks[j];
    BlockCache& c = caches_[j];
    std::optional<PartTimer> part(std::in_place, "self-attention", level_);
    torch::Tensor n1 = blk->norm1->forward(h);
    auto& a1 = blk->attn1;
    const torch::Tensor& kv1_src = a1->is_cross_attention() ? context : n1;
    moved_ |= keep_cache(
        c.k1, a1->split_heads(linear_forward(a1->to_k, kv1_src)).contiguous());  // [B, heads, L, d]
    moved_ |= keep_cache(c.v1, a1->split_heads(linear_forward(a1->to_v, kv1_src)).contiguous());
    torch::Tensor q1 = a1->split_heads(linear_forward(a1->to_q, n1));
    h = a1->out_proj(a1->merge_heads(scaled_dot_product_attention(q1, c.k1, c.v1, a1->scale()))) + h;

    part.emplace("cross-attention", level_);
    torch::Tensor n2 = blk->norm2->forward(h);
    auto& a2 = blk->attn2;
    moved_ |= keep_cache(c.k2, a2->split_heads(linear_forward(a2->to_k, context)).contiguous());
    moved_ |= keep_cache(c.v2, a2->split_heads(linear_forward(a2->to_v, context)).contiguous());
    h = a2->forward(n2, context) + h;  // through its processor: the attention store captures here
    part.emplace("feed-forward", level_);
    h = blk->ff->forward(blk->norm3->forward(h)) + h;
  }
  torch::Tensor y = from_tokens(proj_out_tokens(h), H, W);  // [B, C, H, W]
  moved_ |= keep_cache(out_, (y + x).contiguous(kSparseFormat));
  return out_;
}

torch::Tensor SparseTransformer::forward_partial(const torch::Tensor& x, const torch::Tensor& context,
                                                 const LevelGeometry& g) {
  if (!out_.defined()) fail("sparse transformer: a partial step needs a full step first");
  if (g.count() == 0) return out_;
  const torch::Tensor& idx = g.token_index_on(x.device());  // [Na]
  torch::Tensor xt = to_tokens(x.contiguous(kSparseFormat)).index_select(1, idx);  // [B, Na, C]
  torch::Tensor h = proj_in_tokens((xt * scale_.unsqueeze(1) + shift_.unsqueeze(1)).to(xt.scalar_type()));  // [B, Na, inner]
  for (size_t j = 0; j < m_->blocks.size(); ++j) {
    auto& blk = m_->blocks[j];
    BlockCache& c = caches_[j];
    std::optional<PartTimer> part(std::in_place, "self-attention", level_);
    torch::Tensor n1 = blk->norm1->forward(h);
    auto& a1 = blk->attn1;
    torch::Tensor q1 = a1->split_heads(linear_forward(a1->to_q, n1));  // [B, heads, Na, d]
    if (!a1->is_cross_attention() && !mac_dry_run()) {  // refresh the active tokens' keys/values in place
      c.k1.index_copy_(2, idx, a1->split_heads(linear_forward(a1->to_k, n1)));
      c.v1.index_copy_(2, idx, a1->split_heads(linear_forward(a1->to_v, n1)));
    } else if (!a1->is_cross_attention()) {  // dry run: count the projections only
      linear_forward(a1->to_k, n1);
      linear_forward(a1->to_v, n1);
    }
    h = a1->out_proj(a1->merge_heads(scaled_dot_product_attention(q1, c.k1, c.v1, a1->scale()))) + h;

    part.emplace("cross-attention", level_);
    torch::Tensor n2 = blk->norm2->forward(h);
    auto& a2 = blk->attn2;
    torch::Tensor q2 = a2->split_heads(linear_forward(a2->to_q, n2));
    h = a2->out_proj(a2->merge_heads(scaled_dot_product_attention(q2, c.k2, c.v2, a2->scale()))) + h;
    part.emplace("feed-forward", level_);
    h = blk->ff->forward(blk->norm3->forward(h)) + h;
  }
  torch::Tensor y = proj_out_tokens(h) + xt;  // [B, Na, C]
  if (!mac_dry_run()) to_tokens(out_).index_copy_(1, idx, y);  // a view of the channels-last map
  return out_;
}

}  // namespace hd
