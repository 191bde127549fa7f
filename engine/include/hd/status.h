// hd::Status: the result of every public engine call. No exceptions cross the API.
#pragma once

#include <string>
#include <utility>

namespace hd {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // a request value out of range
    kNotFound,         // a file or folder that does not exist
    kCorrupt,          // a file that exists but cannot be parsed or does not match its config
    kUnsupported,      // a valid config that this engine does not implement
    kCancelled,        // stopped by the caller
    kInternal,         // anything else (out of memory, backend error)
  };

  Status() = default;
  static Status Ok() { return {}; }
  static Status Error(Code code, std::string message) { return Status(code, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace hd
