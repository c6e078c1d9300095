// libcurl, opened with dlopen on first use instead of linked: its ~30 dependent libraries (TLS,
// Kerberos, LDAP, SSH, IDN...) cost every aotc process 30-40 ms of dynamic loading on a loaded
// 2-core machine (docs/NOTES.md, issue 11), more than a no-op rebuild's own work, though only
// --remote-cache uses it.
#pragma once

#include <curl/curl.h>

#include "core/result.h"

namespace aotc {

// The libcurl functions aotc calls, under their names without the curl_ prefix.
struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL* curl);
  void (*easy_reset)(CURL* curl);
  CURLcode (*easy_setopt)(CURL* curl, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL* curl);
  CURLcode (*easy_getinfo)(CURL* curl, CURLINFO info, ...);
  const char* (*easy_strerror)(CURLcode code);
  curl_slist* (*slist_append)(curl_slist* list, const char* text);
  void (*slist_free_all)(curl_slist* list);
};

// libcurl.so.4 loaded and curl_global_init'ed once per process (thread-safe); the error, the same
// on every call, names the library and what the loader said.
Result<const CurlApi*> curl_api();

}  // namespace aotc
