// Clang offload bundles ("fat binaries"): the uncompressed format clang-offload-bundler writes and
// the HIP runtime reads, and its compressed CCOB wrapper (versions 2 and 3, zlib or zstd). The
// reader treats every file as hostile: truncation, overlapping or out-of-range entries, forged
// counts and hash mismatches are errors (LLVM's bundler reads a truncated bundle as empty).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codeobj/target_id.h"
#include "core/result.h"

namespace aotc::codeobj {

inline constexpr std::string_view kBundleMagic = "__CLANG_OFFLOAD_BUNDLE__";
inline constexpr std::string_view kCompressedBundleMagic = "CCOB";
inline constexpr std::uint64_t kBundleAlignment = 4096;
// Host entry id clang 22 writes; clang 19 spells it "host-x86_64-unknown-linux--".
inline constexpr std::string_view kHostEntryId = "host-x86_64-unknown-linux-gnu-";
// Bundles above this size (compressed or not) are refused, whatever their headers claim.
inline constexpr std::uint64_t kMaxBundleBytes = 1ull << 30;

struct BundleEntry {
  std::string id;  // "hipv4-amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-", "host-x86_64-..."
  std::vector<std::uint8_t> bytes;
};

struct BundleWriteOptions {
  enum Compression { none, zlib, zstd } compression = none;
  int ccob_version = 2;  // 2 or 3; used only when compressed
};

// How a bundle was stored, for `aotc inspect` and the manifest.
struct BundleFormat {
  bool compressed = false;
  int ccob_version = 0;  // 0 when uncompressed
  std::string method;    // "zlib" / "zstd"; empty when uncompressed
  std::uint64_t uncompressed_size = 0;
};

bool looks_like_offload_bundle(std::span<const std::uint8_t> bytes);

// Reads a plain or compressed bundle into its entries (file order).
Result<std::vector<BundleEntry>> read_offload_bundle(std::span<const std::uint8_t> bytes);
// The same, also reporting the storage format.
Result<std::vector<BundleEntry>> read_offload_bundle(std::span<const std::uint8_t> bytes,
                                                     BundleFormat& format);

// Writes a bundle: a host entry first (added unless one is given), then the entries in order,
// each payload aligned to 4096 bytes, the header below 4096 bytes (the HIP runtime reads only
// the first page to find entries). Ids must be unique and non-empty.
Result<std::vector<std::uint8_t>> write_offload_bundle(const std::vector<BundleEntry>& entries,
                                                       const BundleWriteOptions& options);

// What a HIP runtime no older than `floor` ("6.2", "7.0", ...) can load: compressed (zstd) only
// when asked and the floor is >= 6.2, CCOB v3 only when the floor is >= 7.0. A floor that does not
// parse as MAJOR[.MINOR] gets the most conservative choice (uncompressed).
BundleWriteOptions bundle_options_for_rocm_floor(std::string_view floor, bool compress);

// "hipv4-amdgcn-amd-amdhsa--" + canonical target id.
std::string amd_bundle_entry_id(const TargetId& target);

// The entry id a user means by `wanted`: a full entry id is taken as is; a target id such as
// "gfx942:xnack-" becomes its AMD entry id (canonical feature order). Errors on bad target ids.
Result<std::string> bundle_entry_id_for(std::string_view wanted);

}  // namespace aotc::codeobj
