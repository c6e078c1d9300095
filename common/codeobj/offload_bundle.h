// Clang offload bundles ("fat binaries"): the uncompressed format clang-offload-bundler writes and
// the HIP runtime reads, and its compressed CCOB wrapper (versions 1 to 3, zlib or zstd). The
// reader treats every file as hostile: truncation, overlapping or out-of-range entries, forged
// counts and hash mismatches are errors (LLVM's bundler reads a truncated bundle as empty).
// Writing bundles is the aotc executable's job (tools/codeobj/bundle_writer.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codeobj/target_id.h"
#include "core/result.h"

namespace aotc::codeobj {

// Header layout constants shared by the reader and the writer.
inline constexpr std::uint64_t kBundleFirstEntryAt = 32;  // after the magic and the entry count
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

// The CCOB hash of an uncompressed bundle: the first 8 bytes of its MD5, little-endian.
Result<std::uint64_t> compressed_bundle_hash(std::span<const std::uint8_t> uncompressed);

// "hipv4-amdgcn-amd-amdhsa--" + canonical target id.
std::string amd_bundle_entry_id(const TargetId& target);

// The entry id a user means by `wanted`: a full entry id is taken as is; a target id such as
// "gfx942:xnack-" becomes its AMD entry id (canonical feature order). Errors on bad target ids.
Result<std::string> bundle_entry_id_for(std::string_view wanted);

}  // namespace aotc::codeobj
