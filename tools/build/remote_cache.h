// The shared remote cache (`aotc build --remote-cache URL`, or $AOTC_REMOTE_CACHE): the local
// cache's entries (build_cache.h) kept on an HTTP server as well, so CI runners and developers
// share compiles. The server needs nothing but GET, HEAD and PUT of plain files (nginx with
// WebDAV PUT, or any object store with an HTTP front): an entry is <url>/<key[0:2]>/<key>.json
// (its record) and <url>/<key[0:2]>/<key>.<kind> (each output), the local cache's own layout.
//
// The server can make a build slower, never wrong and never failed: every download is bounded by
// the size its record gives and verified against the record's SHA-256 before use, and any
// failure — no connection, a timeout, a 5xx, an entry that does not verify — makes that object a
// local compile. The first failure of a build prints one warning (later ones are counted, not
// printed); after a failure to reach the server it is not asked again during that build.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "build/http_client.h"
#include "core/result.h"

namespace aotc {

// The environment variable that names a remote cache when --remote-cache is not given.
inline constexpr const char* kRemoteCacheVariable = "AOTC_REMOTE_CACHE";

struct RemoteCacheStats {
  std::size_t hits = 0;      // entries served from the server
  std::size_t uploads = 0;   // entries written to it
  std::size_t failures = 0;  // requests or entries that failed (one warning for all)
};

class RemoteCache {
 public:
  using Warn = std::function<void(const std::string&)>;

  // `url`: http:// or https://, with an optional path (a trailing '/' is ignored). `warn` prints
  // the build's one warning. An Error for anything but such a URL.
  static Result<RemoteCache> open(const std::string& url, Warn warn, HttpTimeouts timeouts = {});

  // The record of `key`, or nullopt (not there, or the server failed: that warns).
  std::optional<std::string> fetch_record(const std::string& key, std::uint64_t max_bytes);
  // One output of an entry whose record said `size` bytes with SHA-256 `sha256`; nullopt when it
  // cannot be fetched or does not verify (which warns, and makes the next upload replace it).
  std::optional<std::vector<std::uint8_t>> fetch_output(const std::string& key,
                                                        const std::string& kind, std::uint64_t size,
                                                        const std::string& sha256);
  // The server's entry for `key` exists but cannot be used here (its dependencies differ, or it
  // failed to verify): the next upload of `key` replaces it.
  void mark_unusable(const std::string& key) { seen_[key] = Seen::unusable; }
  // An entry was served from the server.
  void count_hit() { ++stats_.hits; }

  struct Output {
    std::string kind;
    std::span<const std::uint8_t> bytes;
  };
  // Uploads a freshly compiled entry, outputs first and the record last, so a reader never finds
  // a record before its outputs; skipped when the server already holds a usable one.
  void upload(const std::string& key, const std::vector<Output>& outputs,
              const std::string& record);

  const RemoteCacheStats& stats() const { return stats_; }
  const std::string& url() const { return url_; }

 private:
  enum class Seen { absent, unusable };
  RemoteCache(std::string url, Warn warn, HttpClient client);
  std::string entry_url(const std::string& key, const std::string& extension) const;
  // Counts a failure and prints the build's one warning; `unreachable` stops further requests.
  void fail(const std::string& what, bool unreachable);
  // A 2xx status is success; anything else fails with the status in the message.
  bool check_status(const std::string& method, const std::string& url, long status);

  std::string url_;
  Warn warn_;
  HttpClient client_;
  bool disabled_ = false;
  std::map<std::string, Seen> seen_;  // what fetch_record found, by key
  RemoteCacheStats stats_;
};

}  // namespace aotc
