// Offload bundle layout (LLVM clang/lib/Driver/OffloadBundler.cpp, checked against
// clang-offload-bundler 19 and 22 in tests/codeobj):
//   uncompressed: "__CLANG_OFFLOAD_BUNDLE__", u64 count, then per entry u64 offset (from the
//     start of the bundle), u64 size, u64 id length, id bytes; payloads at their offsets.
//   CCOB: "CCOB", u16 version, u16 method (0 zlib, 1 zstd), then
//     v1: u32 uncompressed size, u64 hash                          (data at 16)
//     v2: u32 total file size, u32 uncompressed size, u64 hash     (data at 24)
//     v3: u64 total file size, u64 uncompressed size, u64 hash     (data at 32)
//   where hash is the first 8 bytes of MD5(uncompressed bundle) read little-endian, and the
//   compressed data is the whole uncompressed bundle.
#include "codeobj/offload_bundle.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "codeobj/byte_reader.h"
#include "codeobj/compression.h"
#include "codeobj/concat.h"
#include "core/hashing.h"

namespace aotc::codeobj {
namespace {

// Smallest entry record: offset, size, id length (8 bytes each) and a one-byte id.
constexpr std::uint64_t kMinEntryRecord = 25;
constexpr std::uint64_t kFirstEntryAt = 32;

std::uint64_t bundle_hash(std::span<const std::uint8_t> bytes) {
  Md5Digest digest = md5(bytes);
  return *read_le<std::uint64_t>(digest, 0);
}

Error bundle_error(std::string what) { return make_error("offload bundle: " + std::move(what)); }

Result<std::vector<BundleEntry>> read_plain_bundle(std::span<const std::uint8_t> bytes) {
  if (!looks_like_offload_bundle(bytes) || bytes.size() < kFirstEntryAt) {
    return bundle_error("missing __CLANG_OFFLOAD_BUNDLE__ magic or truncated header");
  }
  std::uint64_t count = *read_le<std::uint64_t>(bytes, kBundleMagic.size());
  if (count == 0) return bundle_error("has no entries");
  if (count > (bytes.size() - kFirstEntryAt) / kMinEntryRecord) {
    return bundle_error(concat("header claims ", count, " entries but the file (", bytes.size(),
                               " bytes) has room for at most ",
                               (bytes.size() - kFirstEntryAt) / kMinEntryRecord));
  }
  struct Record {
    std::uint64_t offset, size;
    std::string id;
  };
  std::vector<Record> records;
  records.reserve(count);
  ByteReader r(bytes, kFirstEntryAt);
  std::set<std::string> seen;
  for (std::uint64_t i = 0; i < count; ++i) {
    Record rec;
    rec.offset = r.read<std::uint64_t>();
    rec.size = r.read<std::uint64_t>();
    std::uint64_t id_size = r.read<std::uint64_t>();
    if (!r.ok()) return bundle_error(concat("entry ", i, ": header is truncated"));
    if (id_size == 0) return bundle_error(concat("entry ", i, ": empty id"));
    auto id = r.read_bytes(id_size);
    if (!r.ok()) {
      return bundle_error(concat("entry ", i, ": id of ", id_size, " bytes overruns the file"));
    }
    rec.id = std::string(as_chars(id));
    if (!range_fits(rec.offset, rec.size, bytes.size())) {
      return bundle_error(concat("entry ", i, " (", rec.id, "): payload at offset ", rec.offset,
                                 " of ", rec.size, " bytes lies beyond the end of the ",
                                 bytes.size(), "-byte file (truncated?)"));
    }
    if (!seen.insert(rec.id).second) {
      return bundle_error(concat("entry ", i, ": id \"", rec.id, "\" appears twice"));
    }
    records.push_back(std::move(rec));
  }
  const std::uint64_t header_end = r.offset();
  // Payloads must not overlap the header or each other. Empty payloads (the host entry) occupy
  // no bytes, and clang places them at the next payload's offset, so they are exempt.
  std::vector<const Record*> by_offset;
  for (const Record& rec : records) {
    if (rec.size == 0) continue;
    if (rec.offset < header_end) {
      return bundle_error(concat("entry ", rec.id, ": payload at offset ", rec.offset,
                                 " overlaps the header (", header_end, " bytes)"));
    }
    by_offset.push_back(&rec);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Record* a, const Record* b) { return a->offset < b->offset; });
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const Record* prev = by_offset[i - 1];
    if (prev->offset + prev->size > by_offset[i]->offset) {
      return bundle_error(concat("entries ", prev->id, " and ", by_offset[i]->id, " overlap"));
    }
  }
  std::vector<BundleEntry> entries;
  entries.reserve(records.size());
  for (Record& rec : records) {
    auto payload = bytes.subspan(rec.offset, rec.size);
    entries.push_back({std::move(rec.id), {payload.begin(), payload.end()}});
  }
  return entries;
}

Result<std::vector<BundleEntry>> read_compressed_bundle(std::span<const std::uint8_t> bytes,
                                                        BundleFormat& format) {
  ByteReader r(bytes, kCompressedBundleMagic.size());
  std::uint16_t version = r.read<std::uint16_t>();
  std::uint16_t method = r.read<std::uint16_t>();
  std::uint64_t total_size = bytes.size();
  std::uint64_t uncompressed_size = 0;
  switch (version) {
    case 1:
      uncompressed_size = r.read<std::uint32_t>();
      break;
    case 2:
      total_size = r.read<std::uint32_t>();
      uncompressed_size = r.read<std::uint32_t>();
      break;
    case 3:
      total_size = r.read<std::uint64_t>();
      uncompressed_size = r.read<std::uint64_t>();
      break;
    default:
      return bundle_error(concat("compressed bundle version ", version, " is not 1, 2 or 3"));
  }
  std::uint64_t hash = r.read<std::uint64_t>();
  if (!r.ok()) return bundle_error(concat("compressed (CCOB v", version, ") header is truncated"));
  if (method > 1) {
    return bundle_error(concat("compression method ", method, " is neither 0 (zlib) nor 1 (zstd)"));
  }
  if (total_size > bytes.size()) {
    return bundle_error(concat("compressed bundle header says ", total_size,
                               " bytes but the file has ", bytes.size(), " (truncated)"));
  }
  if (total_size < r.offset()) {
    return bundle_error(
        concat("compressed bundle total size ", total_size, " is smaller than its header"));
  }
  if (uncompressed_size > kMaxBundleBytes) {
    return bundle_error(concat("uncompressed size ", uncompressed_size, " exceeds the limit of ",
                               kMaxBundleBytes, " bytes"));
  }
  auto m = method == 0 ? CompressionMethod::zlib : CompressionMethod::zstd;
  auto data = bytes.subspan(r.offset(), total_size - r.offset());
  auto plain = decompress_bytes(data, m, uncompressed_size);
  if (!plain) return plain.error().with_context(concat("compressed bundle (CCOB v", version, ")"));
  if (bundle_hash(*plain) != hash) {
    return bundle_error("hash of the decompressed bundle does not match the header (corrupted)");
  }
  format.compressed = true;
  format.ccob_version = version;
  format.method = compression_method_name(m);
  format.uncompressed_size = uncompressed_size;
  auto entries = read_plain_bundle(*plain);
  if (!entries) return entries.error().with_context("compressed bundle");
  return entries;
}

}  // namespace

bool looks_like_offload_bundle(std::span<const std::uint8_t> bytes) {
  auto starts = [&](std::string_view magic) {
    return bytes.size() >= magic.size() && as_chars(bytes.first(magic.size())) == magic;
  };
  return starts(kBundleMagic) || starts(kCompressedBundleMagic);
}

Result<std::vector<BundleEntry>> read_offload_bundle(std::span<const std::uint8_t> bytes,
                                                     BundleFormat& format) {
  format = {};
  if (bytes.size() > kMaxBundleBytes) {
    return bundle_error(
        concat("file of ", bytes.size(), " bytes exceeds the limit of ", kMaxBundleBytes));
  }
  if (bytes.size() >= kCompressedBundleMagic.size() &&
      as_chars(bytes.first(kCompressedBundleMagic.size())) == kCompressedBundleMagic) {
    return read_compressed_bundle(bytes, format);
  }
  auto entries = read_plain_bundle(bytes);
  if (entries) format.uncompressed_size = bytes.size();
  return entries;
}

Result<std::vector<BundleEntry>> read_offload_bundle(std::span<const std::uint8_t> bytes) {
  BundleFormat format;
  return read_offload_bundle(bytes, format);
}

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
  std::uint64_t header_size = kFirstEntryAt;
  for (const BundleEntry* e : ordered) header_size += 24 + e->id.size();
  if (header_size >= kBundleAlignment) {
    return bundle_error(concat("header of ", header_size, " bytes for ", ordered.size(),
                               " entries would not fit in the first ", kBundleAlignment,
                               " bytes the HIP runtime reads"));
  }
  auto align = [](std::uint64_t n) {
    return (n + kBundleAlignment - 1) / kBundleAlignment * kBundleAlignment;
  };
  std::vector<std::uint64_t> offsets;
  std::uint64_t at = align(header_size);
  for (const BundleEntry* e : ordered) {
    offsets.push_back(at);
    at = e->bytes.empty() ? at : align(at + e->bytes.size());
  }
  // The file ends right after the last payload, not at the next alignment boundary.
  std::uint64_t end = header_size;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    end = std::max(end, offsets[i] + ordered[i]->bytes.size());
  }
  if (end > kMaxBundleBytes) {
    return bundle_error(concat("bundle of ", end, " bytes exceeds the limit of ", kMaxBundleBytes));
  }
  std::vector<std::uint8_t> out(end, 0);
  auto put64 = [&](std::uint64_t pos, std::uint64_t v) {
    for (int b = 0; b < 8; ++b) out[pos + b] = static_cast<std::uint8_t>(v >> (8 * b));
  };
  std::copy(kBundleMagic.begin(), kBundleMagic.end(), out.begin());
  put64(kBundleMagic.size(), ordered.size());
  std::uint64_t pos = kFirstEntryAt;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    put64(pos, offsets[i]);
    put64(pos + 8, ordered[i]->bytes.size());
    put64(pos + 16, ordered[i]->id.size());
    std::copy(ordered[i]->id.begin(), ordered[i]->id.end(), out.begin() + pos + 24);
    pos += 24 + ordered[i]->id.size();
    std::copy(ordered[i]->bytes.begin(), ordered[i]->bytes.end(), out.begin() + offsets[i]);
  }
  if (options.compression == BundleWriteOptions::none) return out;

  if (options.ccob_version != 2 && options.ccob_version != 3) {
    return bundle_error(
        concat("CCOB version ", options.ccob_version, " cannot be written (2 or 3)"));
  }
  auto method = options.compression == BundleWriteOptions::zlib ? CompressionMethod::zlib
                                                                : CompressionMethod::zstd;
  auto compressed = compress_bytes(out, method);
  if (!compressed) return compressed.error();
  const std::uint64_t header = options.ccob_version == 2 ? 24 : 32;
  const std::uint64_t total = header + compressed->size();
  if (options.ccob_version == 2 && (total > UINT32_MAX || out.size() > UINT32_MAX)) {
    return bundle_error("bundle too large for CCOB v2 (32-bit sizes); use v3");
  }
  std::vector<std::uint8_t> file(header, 0);
  auto put = [&](std::uint64_t at_pos, std::uint64_t v, int width) {
    for (int b = 0; b < width; ++b) file[at_pos + b] = static_cast<std::uint8_t>(v >> (8 * b));
  };
  std::copy(kCompressedBundleMagic.begin(), kCompressedBundleMagic.end(), file.begin());
  put(4, options.ccob_version, 2);
  put(6, method == CompressionMethod::zlib ? 0 : 1, 2);
  const int width = options.ccob_version == 2 ? 4 : 8;
  put(8, total, width);
  put(8 + width, out.size(), width);
  put(8 + 2 * width, bundle_hash(out), 8);
  file.insert(file.end(), compressed->begin(), compressed->end());
  return file;
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

std::string amd_bundle_entry_id(const TargetId& target) {
  return "hipv4-amdgcn-amd-amdhsa--" + target.to_string();
}

Result<std::string> bundle_entry_id_for(std::string_view wanted) {
  // Entry ids always name an offload kind and a triple, so they contain "-" before the target;
  // target ids start with the processor.
  if (wanted.starts_with("host-") || wanted.find("--") != std::string_view::npos) {
    return std::string(wanted);
  }
  auto id = parse_target_id(wanted);
  if (!id) return id.error();
  return amd_bundle_entry_id(*id);
}

}  // namespace aotc::codeobj
