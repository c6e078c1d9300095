#include "build/curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace aotc {

namespace {

constexpr const char* kLibrary = "libcurl.so.4";  // the SONAME of Debian's libcurl4

struct Loaded {
  CurlApi api{};
  std::string error;  // empty when loaded
};

template <typename Function>
bool resolve(void* library, const char* name, Function& function, std::string& error) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  if (function == nullptr) error = std::string(kLibrary) + ": no symbol " + name;
  return function != nullptr;
}

Loaded load() {
  Loaded loaded;
  // Never closed: curl's global state lives until the process ends.
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    loaded.error = std::string("cannot load ") + kLibrary +
                   " (libcurl, for --remote-cache): " + (why ? why : "unknown error");
    return loaded;
  }
  CurlApi& api = loaded.api;
  std::string& error = loaded.error;
  if (!(resolve(library, "curl_global_init", api.global_init, error) &&
        resolve(library, "curl_easy_init", api.easy_init, error) &&
        resolve(library, "curl_easy_cleanup", api.easy_cleanup, error) &&
        resolve(library, "curl_easy_reset", api.easy_reset, error) &&
        resolve(library, "curl_easy_setopt", api.easy_setopt, error) &&
        resolve(library, "curl_easy_perform", api.easy_perform, error) &&
        resolve(library, "curl_easy_getinfo", api.easy_getinfo, error) &&
        resolve(library, "curl_easy_strerror", api.easy_strerror, error) &&
        resolve(library, "curl_slist_append", api.slist_append, error) &&
        resolve(library, "curl_slist_free_all", api.slist_free_all, error))) {
    return loaded;
  }
  if (CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    error = std::string("libcurl: cannot initialise: ") + api.easy_strerror(code);
  }
  return loaded;
}

}  // namespace

Result<const CurlApi*> curl_api() {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.error.empty()) return make_error(loaded.error);
  return &loaded.api;
}

}  // namespace aotc
