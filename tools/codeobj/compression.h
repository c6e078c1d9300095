// zlib and zstd through their own libraries, for compressed offload bundles. Decompression grows
// its output only as real output appears and stops at the size the header declared, so a forged
// size or a decompression bomb cannot make us allocate more than the declared (and capped) size.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"

namespace aotc::codeobj {

enum class CompressionMethod { zlib, zstd };

const char* compression_method_name(CompressionMethod method);

Result<std::vector<std::uint8_t>> compress_bytes(std::span<const std::uint8_t> bytes,
                                                 CompressionMethod method);

// Decompresses one zlib stream or zstd frame that must yield exactly `expected_size` bytes.
Result<std::vector<std::uint8_t>> decompress_bytes(std::span<const std::uint8_t> compressed,
                                                   CompressionMethod method,
                                                   std::uint64_t expected_size);

}  // namespace aotc::codeobj
