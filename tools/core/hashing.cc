#include "core/hashing.h"

// SHA-256 through OpenSSL's SHA256_Init/Update/Final, not EVP: OpenSSL 3's first EVP digest
// loads the default provider and builds its name maps, ~2.9 ms of every aotc process (a no-op
// rebuild of the default matrix then took ~10 ms: docs/NOTES.md, issue 11), where these functions
// start in 0.06 ms. They are deprecated in 3.0, not removed; the deprecation attributes are
// switched off for this file only (aotc_core holds no other OpenSSL user).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <fstream>
#include <vector>

namespace aotc {

Sha256Digest sha256(std::span<const std::uint8_t> bytes) {
  Sha256Digest out{};
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  auto d = sha256({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  return to_hex(d);
}

Result<std::string> sha256_hex_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path.string() + ": cannot open for reading");
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    SHA256_Update(&ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  bool failed = in.bad();
  Sha256Digest out{};
  SHA256_Final(out.data(), &ctx);
  if (failed) return make_error(path.string() + ": read error");
  return to_hex(out);
}

TaggedHasher::TaggedHasher() : ctx_(new SHA256_CTX) { SHA256_Init(static_cast<SHA256_CTX*>(ctx_)); }

TaggedHasher::~TaggedHasher() { delete static_cast<SHA256_CTX*>(ctx_); }

void TaggedHasher::add(std::string_view tag, std::string_view value) {
  auto* ctx = static_cast<SHA256_CTX*>(ctx_);
  std::string header = std::string(tag) + "\x1f" + std::to_string(value.size()) + "\x1f";
  SHA256_Update(ctx, header.data(), header.size());
  SHA256_Update(ctx, value.data(), value.size());
}

std::string TaggedHasher::hex_digest() {
  Sha256Digest out{};
  SHA256_Final(out.data(), static_cast<SHA256_CTX*>(ctx_));
  return to_hex(out);
}

}  // namespace aotc
