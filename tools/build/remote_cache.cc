#include "build/remote_cache.h"

#include "core/hashing.h"

namespace aotc {

Result<RemoteCache> RemoteCache::open(const std::string& url, Warn warn, HttpTimeouts timeouts) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return make_error("expected an http:// or https:// URL, found \"" + url + "\"");
  }
  std::string base = url;
  while (base.ends_with('/')) base.pop_back();
  auto client = HttpClient::create(timeouts);
  if (!client) return client.error();
  return RemoteCache(std::move(base), std::move(warn), std::move(client.value()));
}

RemoteCache::RemoteCache(std::string url, Warn warn, HttpClient client)
    : url_(std::move(url)), warn_(std::move(warn)), client_(std::move(client)) {}

std::string RemoteCache::entry_url(const std::string& key, const std::string& extension) const {
  return url_ + "/" + key.substr(0, 2) + "/" + key + "." + extension;
}

void RemoteCache::fail(const std::string& what, bool unreachable) {
  if (stats_.failures++ == 0 && warn_) {
    warn_("aotc: warning: remote cache " + url_ + ": " + what + "; compiling locally instead" +
          (unreachable ? ", without the server for the rest of this build" : ""));
  }
  if (unreachable) disabled_ = true;
}

bool RemoteCache::check_status(const std::string& method, const std::string& url, long status) {
  if (status >= 200 && status < 300) return true;
  fail(method + " " + url + ": HTTP status " + std::to_string(status), true);
  return false;
}

std::optional<std::string> RemoteCache::fetch_record(const std::string& key,
                                                     std::uint64_t max_bytes) {
  if (disabled_) return std::nullopt;
  const std::string url = entry_url(key, "json");
  auto response = client_.get(url, max_bytes);
  if (!response) {
    fail(response.error().message, true);
    return std::nullopt;
  }
  if (response->status == 404) {
    seen_[key] = Seen::absent;
    return std::nullopt;
  }
  if (!check_status("GET", url, response->status)) return std::nullopt;
  if (response->too_large) {
    mark_unusable(key);
    fail(url + ": larger than any record (" + std::to_string(max_bytes) + " bytes)", false);
    return std::nullopt;
  }
  return std::string(response->body.begin(), response->body.end());
}

std::optional<std::vector<std::uint8_t>> RemoteCache::fetch_output(const std::string& key,
                                                                   const std::string& kind,
                                                                   std::uint64_t size,
                                                                   const std::string& sha256) {
  if (disabled_) return std::nullopt;
  const std::string url = entry_url(key, kind);
  auto response = client_.get(url, size);
  if (!response) {
    fail(response.error().message, true);
    return std::nullopt;
  }
  if (response->status == 404) {
    mark_unusable(key);
    fail("GET " + url + ": missing, though its record exists", false);
    return std::nullopt;
  }
  if (!check_status("GET", url, response->status)) return std::nullopt;
  if (response->too_large || response->body.size() != size ||
      to_hex(aotc::sha256(response->body)) != sha256) {
    mark_unusable(key);
    fail(url + ": does not verify (size or SHA-256 differs from its record)", false);
    return std::nullopt;
  }
  return std::move(response->body);
}

void RemoteCache::upload(const std::string& key, const std::vector<Output>& outputs,
                         const std::string& record) {
  if (disabled_) return;
  const std::string record_url = entry_url(key, "json");
  auto seen = seen_.find(key);
  if (seen == seen_.end() || seen->second == Seen::absent) {
    // Another machine may have uploaded it since this build looked.
    auto status = client_.head(record_url);
    if (!status) return fail(status.error().message, true);
    if (*status >= 200 && *status < 300) return;
    if (*status != 404 && !check_status("HEAD", record_url, *status)) return;
  }
  for (const auto& output : outputs) {
    const std::string url = entry_url(key, output.kind);
    auto status = client_.put(url, output.bytes);
    if (!status) return fail(status.error().message, true);
    if (!check_status("PUT", url, *status)) return;
  }
  std::span<const std::uint8_t> record_bytes(reinterpret_cast<const std::uint8_t*>(record.data()),
                                             record.size());
  auto status = client_.put(record_url, record_bytes);
  if (!status) return fail(status.error().message, true);
  if (!check_status("PUT", record_url, *status)) return;
  seen_.erase(key);
  ++stats_.uploads;
}

}  // namespace aotc
