#include "common/host_memory.h"

#include <climits>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hd {

void keep_freed_host_memory() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, INT_MAX);  // heap, not fresh mmaps, for blocks under 2 GiB
    mallopt(M_TRIM_THRESHOLD, INT_MAX);  // freed heap tops stay in the process
    mallopt(M_TOP_PAD, 64 << 20);        // grow the heap in steps of 64 MiB
  });
#endif
}

}  // namespace hd
