#include "common/resources.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace hd {
namespace fs = std::filesystem;

std::string resource_dir() {
  if (const char* env = std::getenv("HD_RESOURCE_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "hd-studio" / "resources";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
#ifdef HD_SOURCE_RESOURCES
  return HD_SOURCE_RESOURCES;
#else
  return "resources";
#endif
}

}  // namespace hd
