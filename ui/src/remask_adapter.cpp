#include "remask_adapter.h"

namespace hdui {

#if HD_UI_ENGINE_REMASK

bool remaskAvailable() {
  return true;
}

hd::Status remask(const hd::Engine& engine, const hd::AttentionReport& maps,
                  const hd::HighlightOptions& options, int width, int height,
                  hd::AttentionReport* out) {
  return engine.remask(maps, options, width, height, out);
}

#else

bool remaskAvailable() {
  return false;
}

hd::Status remask(const hd::Engine&, const hd::AttentionReport&, const hd::HighlightOptions&, int,
                  int, hd::AttentionReport*) {
  return hd::Status::Error(hd::Status::Code::kUnsupported,
                           "this build of the engine cannot rebuild masks from stored maps "
                           "(hd::Engine::remask is not available); run the generation again");
}

#endif

}  // namespace hdui
