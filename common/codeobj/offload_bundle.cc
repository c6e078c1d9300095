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
#include <set>

#include "codeobj/byte_reader.h"
#include "codeobj/concat.h"
#include "codeobj/decompression.h"

namespace aotc::codeobj {
namespace {

// Smallest entry record: offset, size, id length (8 bytes each) and a one-byte id.
constexpr std::uint64_t kMinEntryRecord = 25;
constexpr std::uint64_t kFirstEntryAt = kBundleFirstEntryAt;

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
  Result<std::uint64_t> actual = compressed_bundle_hash(*plain);
  if (!actual) return actual.error().with_context("compressed bundle: checking its hash");
  if (*actual != hash) {
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

Result<std::uint64_t> compressed_bundle_hash(std::span<const std::uint8_t> uncompressed) {
  Result<Md5Digest> digest = md5_digest(uncompressed);
  if (!digest) return digest.error();
  return *read_le<std::uint64_t>(*digest, 0);
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
