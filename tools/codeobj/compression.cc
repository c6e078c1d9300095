#include "codeobj/compression.h"

#include <zlib.h>
#include <zstd.h>

#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

constexpr int kZlibLevel = 9;
constexpr int kZstdLevel = 9;

}  // namespace

Result<std::vector<std::uint8_t>> compress_bytes(std::span<const std::uint8_t> bytes,
                                                 CompressionMethod method) {
  std::vector<std::uint8_t> out;
  if (method == CompressionMethod::zlib) {
    uLongf size = compressBound(bytes.size());
    out.resize(size);
    int rc = compress2(out.data(), &size, bytes.data(), bytes.size(), kZlibLevel);
    if (rc != Z_OK) return make_error(concat("zlib: compress2 failed with status ", rc));
    out.resize(size);
    return out;
  }
  out.resize(ZSTD_compressBound(bytes.size()));
  std::size_t size = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), kZstdLevel);
  if (ZSTD_isError(size)) return make_error(concat("zstd: ", ZSTD_getErrorName(size)));
  out.resize(size);
  return out;
}

}  // namespace aotc::codeobj
