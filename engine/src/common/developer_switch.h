// Developer switches: environment variables that turn one of the engine's fast paths off, to
// time both ways side by side (HD_PACKED_GEMM, HD_SMALL_GEMM, HD_FEW_QUERY_ATTENTION,
// HD_CPU_ATTENTION; the reports' runtime lines name those set, app/cli/main.cpp). "0" turns a
// path off; unset or any other value leaves it on. Callers read a switch once.
#pragma once

#include <cstdlib>
#include <cstring>

namespace hd {

inline bool developer_switch_on(const char* name) {
  const char* v = std::getenv(name);
  return !(v && std::strcmp(v, "0") == 0);
}

}  // namespace hd
