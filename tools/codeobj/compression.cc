#include "codeobj/compression.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

constexpr int kZlibLevel = 9;
constexpr int kZstdLevel = 9;
constexpr std::size_t kChunk = 1 << 16;

// Next output window: grow geometrically but never past the declared size (+1 byte, so that
// output beyond the declared size is seen and reported instead of silently dropped).
void grow(std::vector<std::uint8_t>& out, std::size_t used, std::uint64_t limit) {
  std::uint64_t want = std::max<std::uint64_t>(used * 2, used + kChunk);
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(want, limit + 1)));
}

Result<std::vector<std::uint8_t>> inflate_zlib(std::span<const std::uint8_t> in,
                                               std::uint64_t expected) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return make_error("zlib: inflateInit failed");
  std::vector<std::uint8_t> out;
  std::size_t used = 0;
  // zlib's avail_in is 32-bit; feed at most 1 GiB at a time.
  std::size_t fed = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0 && fed < in.size()) {
      std::size_t n = std::min<std::size_t>(in.size() - fed, 1u << 30);
      z.next_in = const_cast<Bytef*>(in.data() + fed);
      z.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    if (used == out.size()) {
      if (out.size() > expected) break;
      grow(out, used, expected);
    }
    z.next_out = out.data() + used;
    z.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - used, 1u << 30));
    std::size_t before = z.avail_out;
    std::size_t before_in = z.avail_in;
    rc = inflate(&z, Z_NO_FLUSH);
    bool progressed = z.avail_out != before || z.avail_in != before_in;
    used += before - z.avail_out;
    if (rc == Z_BUF_ERROR && !progressed && z.avail_in == 0 && fed == in.size()) {
      inflateEnd(&z);
      return make_error("zlib: compressed data is truncated");
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      std::string msg = z.msg ? z.msg : "error";
      inflateEnd(&z);
      return make_error(concat("zlib: ", msg));
    }
  }
  bool trailing = rc == Z_STREAM_END && (z.avail_in != 0 || fed != in.size());
  inflateEnd(&z);
  if (trailing) return make_error("zlib: trailing bytes after the compressed stream");
  if (used != expected) {
    return make_error(concat("zlib: decompressed ", used > expected ? "more than " : "", used,
                             " bytes, header says ", expected));
  }
  out.resize(used);
  return out;
}

Result<std::vector<std::uint8_t>> decompress_zstd(std::span<const std::uint8_t> in,
                                                  std::uint64_t expected) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (!ctx) return make_error("zstd: out of memory");
  // Refuse frames that need a window larger than 128 MiB (zstd's own default cap): a crafted
  // header must not make the decoder allocate gigabytes.
  ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, 27);
  std::vector<std::uint8_t> out;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t used = 0;
  std::size_t rc = 1;
  while (rc != 0) {
    if (used == out.size()) {
      if (out.size() > expected) break;
      grow(out, used, expected);
    }
    ZSTD_outBuffer output{out.data(), out.size(), used};
    std::size_t before_in = input.pos;
    rc = ZSTD_decompressStream(ctx, &output, &input);
    bool progressed = output.pos != used || input.pos != before_in;
    used = output.pos;
    if (ZSTD_isError(rc)) {
      std::string msg = ZSTD_getErrorName(rc);
      ZSTD_freeDCtx(ctx);
      return make_error(concat("zstd: ", msg));
    }
    if (rc != 0 && !progressed && input.pos == input.size && used < out.size()) {
      ZSTD_freeDCtx(ctx);
      return make_error("zstd: compressed data is truncated");
    }
  }
  ZSTD_freeDCtx(ctx);
  if (rc == 0 && input.pos != input.size) {
    return make_error("zstd: trailing bytes after the compressed frame");
  }
  if (used != expected) {
    return make_error(concat("zstd: decompressed ", used > expected ? "more than " : "", used,
                             " bytes, header says ", expected));
  }
  out.resize(used);
  return out;
}

}  // namespace

const char* compression_method_name(CompressionMethod method) {
  return method == CompressionMethod::zlib ? "zlib" : "zstd";
}

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

Result<std::vector<std::uint8_t>> decompress_bytes(std::span<const std::uint8_t> compressed,
                                                   CompressionMethod method,
                                                   std::uint64_t expected_size) {
  return method == CompressionMethod::zlib ? inflate_zlib(compressed, expected_size)
                                           : decompress_zstd(compressed, expected_size);
}

}  // namespace aotc::codeobj
