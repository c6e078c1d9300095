// HTTP GET, HEAD and PUT for the remote cache, through libcurl (one easy handle, so consecutive
// requests to one server reuse its connection). Every request has a connect timeout and a limit
// on the whole transfer; a download is bounded by the size the caller expects, so a hostile or
// broken server cannot make aotc read more than that.
//
// Transport failures (refused connection, DNS, TLS, timeout) are Errors
// naming the URL and curl's reason; every HTTP status, 404 and 500 included, is a response for
// the caller to judge.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

struct HttpTimeouts {
  std::chrono::milliseconds connect{3000};
  std::chrono::milliseconds transfer{60000};  // the whole request, from connecting to the last byte
};

struct HttpResponse {
  long status = 0;  // 200, 404, ...
  std::vector<std::uint8_t> body;
  bool too_large = false;  // GET: the body went past max_bytes and was cut off there
};

class HttpClient {
 public:
  // Fails only when libcurl cannot be loaded (curl_library.h) or initialised.
  static Result<HttpClient> create(HttpTimeouts timeouts = {});
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // GET; a body longer than `max_bytes` is cut off there (HttpResponse::too_large).
  Result<HttpResponse> get(const std::string& url, std::uint64_t max_bytes);
  // HEAD: the status alone.
  Result<long> head(const std::string& url);
  // PUT of `body`: the status.
  Result<long> put(const std::string& url, std::span<const std::uint8_t> body);

 private:
  struct Handle;
  explicit HttpClient(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

}  // namespace aotc
