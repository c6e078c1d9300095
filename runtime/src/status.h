// The runtime's errors. C callers branch on a code (aotc_status_code) as well as reading a
// message, so the runtime's status carries both; internally it travels as StatusPtr (empty means
// success) and crosses the C ABI as the raw aotc_status the caller then owns.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "aotc/runtime.h"
#include "core/result.h"

struct aotc_status_s {
  aotc_status_code code;
  std::string message;
};

namespace aotc::runtime {

struct StatusFree {
  void operator()(aotc_status_s* status) const { delete status; }
};
using StatusPtr = std::unique_ptr<aotc_status_s, StatusFree>;

StatusPtr make_status(aotc_status_code code, std::string message);
// An aotc::Error from a shared library (codeobj, core) with the runtime's code attached.
StatusPtr status_from_error(aotc_status_code code, const aotc::Error& error);
// Prefixes "context: " to a failure's message; success passes through unchanged.
StatusPtr with_context(StatusPtr status, std::string_view context);

}  // namespace aotc::runtime
