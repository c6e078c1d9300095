#include "core/hashing.h"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

namespace aotc {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, md, nullptr);
  return out;
}

}  // namespace

Sha256Digest sha256(std::span<const std::uint8_t> bytes) { return digest<32>(EVP_sha256(), bytes); }

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
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  bool failed = in.bad();
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  if (failed) return make_error(path.string() + ": read error");
  return to_hex(out);
}

TaggedHasher::TaggedHasher() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

TaggedHasher::~TaggedHasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void TaggedHasher::add(std::string_view tag, std::string_view value) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  std::string header = std::string(tag) + "\x1f" + std::to_string(value.size()) + "\x1f";
  EVP_DigestUpdate(ctx, header.data(), header.size());
  EVP_DigestUpdate(ctx, value.data(), value.size());
}

std::string TaggedHasher::hex_digest() {
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len);
  return to_hex(out);
}

}  // namespace aotc
