// Runs a piece of engine code and turns its exceptions into an hd::Status for the public
// API: hd::Error (bad input, classified by its message), c10::Error (libtorch), out of
// memory, anything else.
#pragma once

#include <new>
#include <string>

#include <c10/util/Exception.h>

#include "common/error.h"
#include "hd/status.h"

namespace hd {

template <class F>
Status guarded(F&& f) {
  try {
    f();
    return Status::Ok();
  } catch (const Error& e) {
    const std::string msg = e.what();
    const bool not_found = msg.find("no such file") != std::string::npos ||
                           msg.find("file not found") != std::string::npos;
    const bool unsupported = msg.find("not supported") != std::string::npos ||
                             msg.find("does not exist") != std::string::npos;
    return Status::Error(not_found     ? Status::Code::kNotFound
                         : unsupported ? Status::Code::kUnsupported
                                       : Status::Code::kInvalidArgument,
                         msg);
  } catch (const c10::Error& e) {
    return Status::Error(Status::Code::kInternal,
                         std::string("libtorch: ") + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    return Status::Error(Status::Code::kInternal, "out of memory");
  } catch (const std::exception& e) {
    return Status::Error(Status::Code::kInternal, e.what());
  }
}

}  // namespace hd
