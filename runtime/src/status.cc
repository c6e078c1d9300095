#include "status.h"

#include <new>

namespace aotc::runtime {

StatusPtr make_status(aotc_status_code code, std::string message) {
  return StatusPtr(new aotc_status_s{code, std::move(message)});
}

StatusPtr status_from_error(aotc_status_code code, const aotc::Error& error) {
  return make_status(code, error.message);
}

StatusPtr with_context(StatusPtr status, std::string_view context) {
  if (status) status->message = std::string(context) + ": " + status->message;
  return status;
}

}  // namespace aotc::runtime

namespace {

// What aotc_status_create returns when it cannot allocate: never freed.
aotc_status_s g_out_of_memory{AOTC_ERROR_INVALID_ARGUMENT, "aotc_status_create: out of memory"};

}  // namespace

extern "C" {

aotc_status aotc_status_create(aotc_status_code code, const char* message) {
  if (code == AOTC_OK) return nullptr;
  try {
    return new aotc_status_s{code, message != nullptr ? message : ""};
  } catch (const std::bad_alloc&) {
    return &g_out_of_memory;
  }
}

aotc_status_code aotc_status_get_code(aotc_status status) {
  return status ? status->code : AOTC_OK;
}

const char* aotc_status_message(aotc_status status) {
  return status ? status->message.c_str() : "success";
}

void aotc_status_free(aotc_status status) {
  if (status != &g_out_of_memory) delete status;
}

}  // extern "C"
