#include "models/packed_gemm.h"

#include "common/developer_switch.h"
#include "models/small_gemm.h"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

namespace hd {

namespace {

// mkldnn::_reorder_linear_weight(w, batch_size?) and
// mkldnn::_linear_pointwise(x, w, b?, attr, scalars, algorithm?), when this libtorch has them.
struct Ops {
  std::optional<c10::OperatorHandle> reorder;
  std::optional<c10::OperatorHandle> linear;
};

const Ops& ops() {
  static const Ops o = [] {
    Ops found;
    auto& d = c10::Dispatcher::singleton();
    found.reorder = d.findSchema({"mkldnn::_reorder_linear_weight", ""});
    found.linear = d.findSchema({"mkldnn::_linear_pointwise", ""});
    return found;
  }();
  return o;
}

bool enabled() {
  static const bool on = developer_switch_on("HD_PACKED_GEMM");
  return on && ops().reorder && ops().linear;
}

using WeakTensorImpl = c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>;

struct Entry {
  WeakTensorImpl owner;
  const void* data = nullptr;  // the owner's storage when packed (module.to() swaps it)
  int64_t version = -1;        // its version counter (in-place loads bump it)
  std::vector<int64_t> shape;  // of the matrix view packed
  torch::Tensor packed;
};

std::mutex g_mutex;
std::unordered_map<const c10::TensorImpl*, Entry> g_cache;

int64_t version_of(const torch::Tensor& t) {
  try {
    return static_cast<int64_t>(t._version());
  } catch (const std::exception&) {  // inference tensors have no version counter
    return -1;
  }
}

torch::Tensor pack(const torch::Tensor& w) {
  torch::jit::Stack stack = {w.contiguous(), c10::IValue()};
  ops().reorder->callBoxed(&stack);
  return stack.front().toTensor();
}

// By value: the map may change under another thread once the lock is released.
torch::Tensor packed_weight(const torch::Tensor& w, const torch::Tensor& owner) {
  const c10::TensorImpl* key = owner.unsafeGetTensorImpl();
  const void* data = owner.data_ptr();
  const int64_t version = version_of(owner);
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_cache.find(key);
  if (it != g_cache.end() && !it->second.owner.expired() && it->second.data == data &&
      it->second.version == version && c10::IntArrayRef(it->second.shape) == w.sizes()) {
    return it->second.packed;
  }
  for (auto e = g_cache.begin(); e != g_cache.end();) {  // drop the copies of freed weights
    e = e->second.owner.expired() ? g_cache.erase(e) : std::next(e);
  }
  Entry entry{WeakTensorImpl(owner.getIntrusivePtr()), data, version, w.sizes().vec(), pack(w)};
  return g_cache.insert_or_assign(key, std::move(entry)).first->second.packed;
}

}  // namespace

bool packed_gemm_applies(const torch::Tensor& x, const torch::Tensor& w) {
  const auto dtype = x.scalar_type();
  return x.device().is_cpu() && w.device().is_cpu() && w.scalar_type() == dtype &&
         (dtype == torch::kBFloat16 || dtype == torch::kFloat32) &&
         !torch::GradMode::is_enabled() && enabled();
}

torch::Tensor gemm_nt(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                      const torch::Tensor& owner) {
  return small_gemm_applies(x, w) ? small_gemm_nt(x, w, bias) : packed_gemm_nt(x, w, bias, owner);
}

torch::Tensor packed_gemm_nt(const torch::Tensor& x, const torch::Tensor& w,
                             const torch::Tensor& bias, const torch::Tensor& owner) {
  if (!packed_gemm_applies(x, w)) {
    return bias.defined() ? torch::addmm(bias, x, w.t()) : torch::mm(x, w.t());
  }
  const torch::Tensor packed = packed_weight(w, owner);
  torch::jit::Stack stack = {x.contiguous(),
                             packed,
                             bias.defined() ? c10::IValue(bias) : c10::IValue(),
                             c10::IValue(std::string("none")),
                             c10::IValue(c10::List<std::optional<at::Scalar>>()),
                             c10::IValue(std::string(""))};
  ops().linear->callBoxed(&stack);
  return stack.front().toTensor();  // [M, N]
}

size_t packed_gemm_cache_size() {
  std::lock_guard<std::mutex> lock(g_mutex);
  size_t n = 0;
  for (const auto& [key, e] : g_cache) n += e.owner.expired() ? 0 : 1;
  return n;
}

}  // namespace hd
