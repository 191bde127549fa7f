// Locating bundled resources (configs, tokenizers, the default model).
#pragma once

#include <string>

namespace hd {

// $HD_RESOURCE_DIR if set; else <exe>/../share/hd-studio when installed (it holds configs/);
// else the source tree's resources/ folder (development builds).
std::string resource_dir();

}  // namespace hd
