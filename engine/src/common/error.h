// Errors inside the engine. Public entry points turn them into hd::Status.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace hd {

// Concatenates any streamable values: str("key ", name, " has shape ", shape).
template <class... Args>
std::string str(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

// Thrown for bad input (files, configs, keys, shapes, arguments). The message must say
// what is wrong and where (file, key, shape or value), so that a person can act on it.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class... Args>
[[noreturn]] void fail(Args&&... args) {
  throw Error(str(std::forward<Args>(args)...));
}

}  // namespace hd
