// The layouts written here are the ones common/codeobj/offload_bundle.cc explains and reads.
#include "codeobj/bundle_writer.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "codeobj/byte_writer.h"
#include "codeobj/compression.h"
#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

// Per entry record: u64 offset, u64 size, u64 id length, then the id.
constexpr std::uint64_t kEntryRecordFixed = 24;

Error bundle_error(std::string what) { return make_error("offload bundle: " + std::move(what)); }

std::uint64_t align_up(std::uint64_t n) {
  return (n + kBundleAlignment - 1) / kBundleAlignment * kBundleAlignment;
}

Result<std::vector<std::uint8_t>> compress_bundle(const std::vector<std::uint8_t>& plain,
                                                  const BundleWriteOptions& options) {
  if (options.ccob_version != 2 && options.ccob_version != 3) {
    return bundle_error(
        concat("CCOB version ", options.ccob_version, " cannot be written (2 or 3)"));
  }
  const auto method = options.compression == BundleWriteOptions::zlib ? CompressionMethod::zlib
                                                                      : CompressionMethod::zstd;
  Result<std::vector<std::uint8_t>> compressed = compress_bytes(plain, method);
  if (!compressed) return compressed.error();
  Result<std::uint64_t> hash = compressed_bundle_hash(plain);
  if (!hash) return hash.error().with_context("offload bundle: hashing for the CCOB header");
  // CCOB: magic, u16 version, u16 method, then v2: u32 total size, u32 uncompressed size;
  // v3: u64, u64; then the u64 hash and the compressed data.
  const bool v2 = options.ccob_version == 2;
  const std::uint64_t header = v2 ? 24 : 32;
  const std::uint64_t total = header + compressed->size();
  if (v2 && (total > UINT32_MAX || plain.size() > UINT32_MAX)) {
    return bundle_error("bundle too large for CCOB v2 (32-bit sizes); use v3");
  }
  ByteWriter w;
  w.write_text(kCompressedBundleMagic);
  w.write(static_cast<std::uint16_t>(options.ccob_version));
  w.write(static_cast<std::uint16_t>(method == CompressionMethod::zlib ? 0 : 1));
  if (v2) {
    w.write(static_cast<std::uint32_t>(total));
    w.write(static_cast<std::uint32_t>(plain.size()));
  } else {
    w.write(total);
    w.write(static_cast<std::uint64_t>(plain.size()));
  }
  w.write(*hash);
  w.write_bytes(*compressed);
  return w.take();
}

}  // namespace

Result<std::vector<std::uint8_t>> write_offload_bundle(const std::vector<BundleEntry>& entries,
                                                       const BundleWriteOptions& options) {
  std::vector<const BundleEntry*> ordered;
  BundleEntry host{std::string(kHostEntryId), {}};
  bool has_host = std::any_of(entries.begin(), entries.end(),
                              [](const BundleEntry& e) { return e.id.starts_with("host-"); });
  if (!has_host) ordered.push_back(&host);
  std::set<std::string_view> seen;
  for (const BundleEntry& e : entries) {
    if (e.id.empty()) return bundle_error("cannot write an entry with an empty id");
    if (!seen.insert(e.id).second) {
      return bundle_error(concat("cannot write entry id \"", e.id, "\" twice"));
    }
    ordered.push_back(&e);
  }
  std::uint64_t header_size = kBundleFirstEntryAt;
  for (const BundleEntry* e : ordered) header_size += kEntryRecordFixed + e->id.size();
  if (header_size >= kBundleAlignment) {
    return bundle_error(concat("header of ", header_size, " bytes for ", ordered.size(),
                               " entries would not fit in the first ", kBundleAlignment,
                               " bytes the HIP runtime reads"));
  }
  // Payloads start at the next 4096-byte boundary each; empty ones (the host entry) take the
  // offset of the next payload, as clang places them. The file ends right after the last
  // payload, not at the next boundary.
  std::vector<std::uint64_t> offsets;
  std::uint64_t at = align_up(header_size);
  std::uint64_t end = header_size;
  for (const BundleEntry* e : ordered) {
    offsets.push_back(at);
    end = std::max(end, at + e->bytes.size());
    at = e->bytes.empty() ? at : align_up(at + e->bytes.size());
  }
  if (end > kMaxBundleBytes) {
    return bundle_error(concat("bundle of ", end, " bytes exceeds the limit of ", kMaxBundleBytes));
  }
  ByteWriter w;
  w.write_text(kBundleMagic);
  w.write(static_cast<std::uint64_t>(ordered.size()));
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    w.write(offsets[i]);
    w.write(static_cast<std::uint64_t>(ordered[i]->bytes.size()));
    w.write(static_cast<std::uint64_t>(ordered[i]->id.size()));
    w.write_text(ordered[i]->id);
  }
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i]->bytes.empty()) continue;
    w.pad_to(offsets[i]);
    w.write_bytes(ordered[i]->bytes);
  }
  w.pad_to(end);
  std::vector<std::uint8_t> plain = w.take();
  if (options.compression == BundleWriteOptions::none) return plain;
  return compress_bundle(plain, options);
}
BundleWriteOptions bundle_options_for_rocm_floor(std::string_view floor, bool compress) {
  int major = 0, minor = 0;
  auto dot = floor.find('.');
  auto parse = [](std::string_view s, int& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  bool ok = dot == std::string_view::npos
                ? parse(floor, major)
                : parse(floor.substr(0, dot), major) && parse(floor.substr(dot + 1), minor);
  BundleWriteOptions options;
  if (!ok || !compress) return options;
  auto at_least = [&](int ma, int mi) { return major > ma || (major == ma && minor >= mi); };
  if (!at_least(6, 2)) return options;
  options.compression = BundleWriteOptions::zstd;
  options.ccob_version = at_least(7, 0) ? 3 : 2;
  return options;
}

}  // namespace aotc::codeobj
