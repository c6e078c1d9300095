// Decompression and hashing for compressed offload bundles (CCOB), through zstd, zlib and
// libcrypto's MD5 opened with dlopen at first use (core/dynamic_library.h): the runtime reads
// compressed bundles but must not need those libraries to load, and most builds never meet a
// compressed bundle. A missing library is an error naming it and every path tried
// ($AOTC_ZSTD_LIBRARY, $AOTC_ZLIB_LIBRARY and $AOTC_CRYPTO_LIBRARY name one path instead).
// Decompression grows its output only as real output appears and stops at the size the header
// declared, so a forged size or a decompression bomb cannot make us allocate more than the
// declared (and capped) size.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"

namespace aotc::codeobj {

enum class CompressionMethod { zlib, zstd };

const char* compression_method_name(CompressionMethod method);

// Decompresses one zlib stream or zstd frame that must yield exactly `expected_size` bytes.
Result<std::vector<std::uint8_t>> decompress_bytes(std::span<const std::uint8_t> compressed,
                                                   CompressionMethod method,
                                                   std::uint64_t expected_size);

using Md5Digest = std::array<std::uint8_t, 16>;

Result<Md5Digest> md5_digest(std::span<const std::uint8_t> bytes);

}  // namespace aotc::codeobj
