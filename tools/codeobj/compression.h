// Compression for the compressed offload bundles aotc writes, through zlib and zstd linked in
// (the aotc executable only; reading them is common/codeobj/decompression.h's job).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codeobj/decompression.h"
#include "core/result.h"

namespace aotc::codeobj {

Result<std::vector<std::uint8_t>> compress_bytes(std::span<const std::uint8_t> bytes,
                                                 CompressionMethod method);

}  // namespace aotc::codeobj
