#include "build/curl_library.h"

#include <array>
#include <string>

namespace aotc {

namespace {

constexpr std::array<const char*, 1> kCurlLibraries = {"libcurl.so.4"};  // Debian's libcurl4

struct Loaded {
  CurlApi fns{};
  Status status;
};

Loaded load() {
  Loaded loaded;
  auto library =
      open_dynamic_library("libcurl (for --remote-cache)", "AOTC_CURL_LIBRARY", kCurlLibraries);
  if (!library) {
    loaded.status = library.error();
    return loaded;
  }
  CurlApi& fns = loaded.fns;
  const SymbolSlot slots[] = {AOTC_CURL_SYMBOLS(AOTC_SYMBOL_REQUIRED, AOTC_SYMBOL_OPTIONAL)};
  if (Status resolved = resolve_symbols(*library, slots); !resolved) {
    loaded.status = resolved;
    return loaded;
  }
  // Once per process: curl's global state lives until the process ends (the library stays open).
  if (CURLcode code = fns.curl_global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    loaded.status =
        make_error(std::string("libcurl: cannot initialise: ") + fns.curl_easy_strerror(code));
  }
  return loaded;
}

}  // namespace

Result<const CurlApi*> curl_api() {
  static const Loaded loaded = load();
  if (!loaded.status) return loaded.status.error();
  return &loaded.fns;
}

}  // namespace aotc
