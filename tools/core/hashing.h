// Content hashes through OpenSSL (no hand-written digests): SHA-256 for cache keys and manifest
// checksums. (The offload bundle's MD5 is common/codeobj/decompression.h's: the runtime needs it.)
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace aotc {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::span<const std::uint8_t> bytes);
std::string to_hex(std::span<const std::uint8_t> bytes);
std::string sha256_hex(std::string_view bytes);
Result<std::string> sha256_hex_of_file(const std::filesystem::path& path);

// Incremental SHA-256 with tagged fields (ccache's idea): every field is hashed after its tag and
// length, so ("-I", "-O2") cannot collide with ("-I-O2").
class TaggedHasher {
 public:
  TaggedHasher();
  ~TaggedHasher();
  TaggedHasher(const TaggedHasher&) = delete;
  TaggedHasher& operator=(const TaggedHasher&) = delete;

  void add(std::string_view tag, std::string_view value);
  std::string hex_digest();

 private:
  void* ctx_;  // SHA256_CTX*, kept opaque so OpenSSL headers stay out of ours
};

}  // namespace aotc
