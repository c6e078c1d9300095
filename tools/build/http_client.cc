#include "build/http_client.h"

#include <algorithm>
#include <cstring>

#include "build/curl_library.h"

namespace aotc {

namespace {

struct Download {
  std::vector<std::uint8_t>* body;
  std::uint64_t max_bytes;
  bool too_big = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* download = static_cast<Download*>(user);
  const std::size_t bytes = size * count;
  if (download->body->size() + bytes > download->max_bytes) {
    download->too_big = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  download->body->insert(download->body->end(), data, data + bytes);
  return bytes;
}

struct Upload {
  std::span<const std::uint8_t> body;
  std::size_t sent = 0;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t bytes = std::min(size * count, upload->body.size() - upload->sent);
  std::memcpy(buffer, upload->body.data() + upload->sent, bytes);
  upload->sent += bytes;
  return bytes;
}

}  // namespace

struct HttpClient::Handle {
  const CurlApi* api = nullptr;
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  HttpTimeouts timeouts;
  char error[CURL_ERROR_SIZE] = {};

  ~Handle() {
    if (headers) api->curl_slist_free_all(headers);
    if (curl) api->curl_easy_cleanup(curl);
  }

  // Options every request shares; the connection cache survives curl_easy_reset.
  void prepare(const std::string& url) {
    api->curl_easy_reset(curl);
    error[0] = '\0';
    api->curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    api->curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    api->curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM
    api->curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    api->curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                          static_cast<long>(timeouts.connect.count()));
    api->curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.transfer.count()));
    // Credentials for a shared server come from the URL (https://user:token@host/...) or ~/.netrc.
    api->curl_easy_setopt(curl, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    api->curl_easy_setopt(curl, CURLOPT_USERAGENT, "aotc/" AOTC_VERSION);
    // No "Expect: 100-continue" round trip before each upload.
    api->curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  }

  Result<long> perform(const std::string& method, const std::string& url) {
    CURLcode code = api->curl_easy_perform(curl);
    if (code != CURLE_OK) {
      std::string reason = error[0] ? error : api->curl_easy_strerror(code);
      return make_error(method + " " + url + ": " + reason);
    }
    long status = 0;
    api->curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }
};

Result<HttpClient> HttpClient::create(HttpTimeouts timeouts) {
  auto api = curl_api();
  if (!api) return api.error();
  auto handle = std::make_unique<Handle>();
  handle->api = *api;
  handle->curl = handle->api->curl_easy_init();
  if (!handle->curl) return make_error("libcurl: cannot create a handle");
  handle->headers = handle->api->curl_slist_append(nullptr, "Expect:");
  handle->timeouts = timeouts;
  return HttpClient(std::move(handle));
}

HttpClient::HttpClient(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::get(const std::string& url, std::uint64_t max_bytes) {
  HttpResponse response;
  Download download{&response.body, max_bytes};
  handle_->prepare(url);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_WRITEFUNCTION, write_body);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_WRITEDATA, &download);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_FOLLOWLOCATION, 1L);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_MAXREDIRS, 3L);
  auto status = handle_->perform("GET", url);
  if (download.too_big) {
    response.too_large = true;
    handle_->api->curl_easy_getinfo(handle_->curl, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }
  if (!status) return status.error();
  response.status = *status;
  return response;
}

Result<long> HttpClient::head(const std::string& url) {
  handle_->prepare(url);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_NOBODY, 1L);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_FOLLOWLOCATION, 1L);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_MAXREDIRS, 3L);
  return handle_->perform("HEAD", url);
}

Result<long> HttpClient::put(const std::string& url, std::span<const std::uint8_t> body) {
  Upload upload{body};
  handle_->prepare(url);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_UPLOAD, 1L);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_READFUNCTION, read_body);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_READDATA, &upload);
  handle_->api->curl_easy_setopt(handle_->curl, CURLOPT_INFILESIZE_LARGE,
                                 static_cast<curl_off_t>(body.size()));
  // A server's reply to a PUT is a short status page; it is not kept.
  handle_->api->curl_easy_setopt(
      handle_->curl, CURLOPT_WRITEFUNCTION,
      +[](char*, std::size_t size, std::size_t count, void*) { return size * count; });
  return handle_->perform("PUT", url);
}

}  // namespace aotc
