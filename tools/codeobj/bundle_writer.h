// Writing clang offload bundles (the format common/codeobj/offload_bundle.h reads), plain or
// wrapped in a compressed CCOB v2/v3 header, as `aotc build` and `aotc bundle` produce them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "codeobj/offload_bundle.h"
#include "core/result.h"

namespace aotc::codeobj {

struct BundleWriteOptions {
  enum Compression { none, zlib, zstd } compression = none;
  int ccob_version = 2;  // 2 or 3; used only when compressed
};

// Writes a bundle: a host entry first (added unless one is given), then the entries in order,
// each payload aligned to 4096 bytes, the header below 4096 bytes (the HIP runtime reads only
// the first page to find entries). Ids must be unique and non-empty.
Result<std::vector<std::uint8_t>> write_offload_bundle(const std::vector<BundleEntry>& entries,
                                                       const BundleWriteOptions& options);

// What a HIP runtime no older than `floor` ("6.2", "7.0", ...) can load: compressed (zstd) only
// when asked and the floor is >= 6.2, CCOB v3 only when the floor is >= 7.0. A floor that does not
// parse as MAJOR[.MINOR] gets the most conservative choice (uncompressed).
BundleWriteOptions bundle_options_for_rocm_floor(std::string_view floor, bool compress);

}  // namespace aotc::codeobj
