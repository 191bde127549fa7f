// The C library's allocator, set up for a UNet's working set.
//
// glibc serves blocks above its mmap threshold (128 KiB, rising to at most 32 MiB as such
// blocks are freed) with fresh mmaps, and returns freed heap tops to the system. A UNet step on
// the CPU allocates and frees the same large activations every step (SD v1.4 at 512: up to
// ~50 MiB each), so every step faulted its memory in again, page by page: 15-20% of a dense SD
// v1.4 step on this project's 2-core CPU (5530-5735 -> 4649-4771 ms, `hd bench masks --config
// sd-v1-4 --size 512`, runs side by side; the peak resident size stayed at 9.2 GB).
#pragma once

namespace hd {

// Serves every block below 2 GiB from the heap and keeps freed memory for reuse instead of
// returning it to the system. Process-wide, idempotent; does nothing outside glibc.
void keep_freed_host_memory();

}  // namespace hd
