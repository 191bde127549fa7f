// Writing files so that a crash or a full disk never leaves a half-written file behind.
#pragma once

#include <cstddef>
#include <filesystem>

namespace hd {

// Writes `size` bytes to `<path>.tmp-<pid>` in the same folder, flushes them to disk and
// renames the file over `path`. Throws hd::Error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, const void* data, size_t size);

}  // namespace hd
