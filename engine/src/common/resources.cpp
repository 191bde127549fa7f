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
    // The package installs resources/ as <prefix>/share/hd-studio; its configs/ folder tells it
    // apart from an unrelated folder of that name next to a build tree's executable.
    const fs::path installed = exe.parent_path().parent_path() / "share" / "hd-studio";
    if (fs::is_directory(installed / "configs", ec)) return installed.string();
  }
#ifdef HD_SOURCE_RESOURCES
  return HD_SOURCE_RESOURCES;
#else
  return "resources";
#endif
}

}  // namespace hd
