// libcurl, opened with dlopen on first use instead of linked: its ~30 dependent libraries (TLS,
// Kerberos, LDAP, SSH, IDN...) cost every aotc process 30-40 ms of dynamic loading on a loaded
// 2-core machine (docs/NOTES.md, issue 11), more than a no-op rebuild's own work, though only
// --remote-cache uses it. Opened like the GPU drivers (core/dynamic_library.h); AOTC_CURL_LIBRARY
// names another libcurl.
#pragma once

#include <curl/curl.h>

#include "core/dynamic_library.h"
#include "core/result.h"

namespace aotc {

// The libcurl functions aotc calls, one line each.
#define AOTC_CURL_SYMBOLS(REQUIRED, OPTIONAL)                                     \
  REQUIRED(curl_global_init, CURLcode, (long flags))                              \
  REQUIRED(curl_easy_init, CURL*, ())                                             \
  REQUIRED(curl_easy_cleanup, void, (CURL * curl))                                \
  REQUIRED(curl_easy_reset, void, (CURL * curl))                                  \
  REQUIRED(curl_easy_setopt, CURLcode, (CURL * curl, CURLoption option, ...))     \
  REQUIRED(curl_easy_perform, CURLcode, (CURL * curl))                            \
  REQUIRED(curl_easy_getinfo, CURLcode, (CURL * curl, CURLINFO info, ...))        \
  REQUIRED(curl_easy_strerror, const char*, (CURLcode code))                      \
  REQUIRED(curl_slist_append, curl_slist*, (curl_slist * list, const char* text)) \
  REQUIRED(curl_slist_free_all, void, (curl_slist * list))

struct CurlApi {
  AOTC_CURL_SYMBOLS(AOTC_SYMBOL_POINTER, AOTC_SYMBOL_POINTER)
};

// libcurl.so.4 loaded and curl_global_init'ed once per process (thread-safe); the error, the same
// on every call, names the library and what the loader said.
Result<const CurlApi*> curl_api();

}  // namespace aotc
