// hd::Engine::remask behind one switch, so the UI builds against an engine that declares
// remask before it defines it. HD_UI_ENGINE_REMASK (CMake: ON, OFF, AUTO = when the engine's
// sources define it) turns the real call on.
#pragma once

#include "hd/engine.h"

namespace hdui {

// Whether this build calls the engine's remask.
bool remaskAvailable();

hd::Status remask(const hd::Engine& engine, const hd::AttentionReport& maps,
                  const hd::HighlightOptions& options, int width, int height,
                  hd::AttentionReport* out);

}  // namespace hdui
