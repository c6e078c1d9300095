#include "codeobj/decompression.h"

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <string>

#include "codeobj/concat.h"
#include "core/dynamic_library.h"

namespace aotc::codeobj {
namespace {

constexpr std::size_t kChunk = 1 << 16;

// The functions used from each library, one line each; their types come from its own header
// (needed at build time only, like any header).
// clang-format off
#define AOTC_ZSTD_FUNCTIONS(X) \
  X(ZSTD_createDCtx)           \
  X(ZSTD_freeDCtx)             \
  X(ZSTD_DCtx_setParameter)    \
  X(ZSTD_decompressStream)     \
  X(ZSTD_isError)              \
  X(ZSTD_getErrorName)
#define AOTC_ZLIB_FUNCTIONS(X) \
  X(inflateInit_)              \
  X(inflate)                   \
  X(inflateEnd)
#define AOTC_CRYPTO_FUNCTIONS(X) \
  X(EVP_Digest)                  \
  X(EVP_md5)
// clang-format on

#define AOTC_DECLARE_FUNCTION(name) decltype(&::name) name = nullptr;
#define AOTC_FUNCTION_SLOT(name) SymbolSlot{#name, &fns.name, true},

struct ZstdFunctions {
  AOTC_ZSTD_FUNCTIONS(AOTC_DECLARE_FUNCTION)
};
struct ZlibFunctions {
  AOTC_ZLIB_FUNCTIONS(AOTC_DECLARE_FUNCTION)
};
struct CryptoFunctions {
  AOTC_CRYPTO_FUNCTIONS(AOTC_DECLARE_FUNCTION)
};

template <class Functions>
struct Loaded {
  Functions fns;
  Status status;
};

// Opens a library and resolves the slots `slots_of(fns)` lists; callers keep the outcome in a
// function-local static, so each library is opened once per process (thread-safe) and a failure
// is reported the same way every time without searching again.
template <class Functions, class SlotsOf>
Loaded<Functions> open_library(const char* what, const char* variable,
                               std::span<const char* const> names, SlotsOf slots_of) {
  Loaded<Functions> out;
  Result<DynamicLibrary> library = open_dynamic_library(what, variable, names);
  if (!library) {
    out.status = library.error();
    return out;
  }
  const auto slots = slots_of(out.fns);
  out.status = resolve_symbols(*library, slots);
  return out;
}

const Loaded<ZstdFunctions>& zstd() {
  static const char* const names[] = {"libzstd.so.1"};
  static const Loaded<ZstdFunctions> loaded = open_library<ZstdFunctions>(
      "zstd", "AOTC_ZSTD_LIBRARY", names,
      [](ZstdFunctions& fns) { return std::array{AOTC_ZSTD_FUNCTIONS(AOTC_FUNCTION_SLOT)}; });
  return loaded;
}

const Loaded<ZlibFunctions>& zlib() {
  static const char* const names[] = {"libz.so.1"};
  static const Loaded<ZlibFunctions> loaded = open_library<ZlibFunctions>(
      "zlib", "AOTC_ZLIB_LIBRARY", names,
      [](ZlibFunctions& fns) { return std::array{AOTC_ZLIB_FUNCTIONS(AOTC_FUNCTION_SLOT)}; });
  return loaded;
}

const Loaded<CryptoFunctions>& crypto() {
  static const char* const names[] = {"libcrypto.so.3", "libcrypto.so.1.1"};
  static const Loaded<CryptoFunctions> loaded = open_library<CryptoFunctions>(
      "libcrypto (MD5)", "AOTC_CRYPTO_LIBRARY", names,
      [](CryptoFunctions& fns) { return std::array{AOTC_CRYPTO_FUNCTIONS(AOTC_FUNCTION_SLOT)}; });
  return loaded;
}

// Next output window: grow geometrically but never past the declared size (+1 byte, so that
// output beyond the declared size is seen and reported instead of silently dropped).
void grow(std::vector<std::uint8_t>& out, std::size_t used, std::uint64_t limit) {
  std::uint64_t want = std::max<std::uint64_t>(used * 2, used + kChunk);
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(want, limit + 1)));
}

Result<std::vector<std::uint8_t>> inflate_zlib(const ZlibFunctions& zl,
                                               std::span<const std::uint8_t> in,
                                               std::uint64_t expected) {
  z_stream z{};
  if (zl.inflateInit_(&z, ZLIB_VERSION, static_cast<int>(sizeof(z_stream))) != Z_OK) {
    return make_error("zlib: inflateInit failed");
  }
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
    rc = zl.inflate(&z, Z_NO_FLUSH);
    bool progressed = z.avail_out != before || z.avail_in != before_in;
    used += before - z.avail_out;
    if (rc == Z_BUF_ERROR && !progressed && z.avail_in == 0 && fed == in.size()) {
      zl.inflateEnd(&z);
      return make_error("zlib: compressed data is truncated");
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      std::string msg = z.msg ? z.msg : "error";
      zl.inflateEnd(&z);
      return make_error(concat("zlib: ", msg));
    }
  }
  bool trailing = rc == Z_STREAM_END && (z.avail_in != 0 || fed != in.size());
  zl.inflateEnd(&z);
  if (trailing) return make_error("zlib: trailing bytes after the compressed stream");
  if (used != expected) {
    return make_error(concat("zlib: decompressed ", used > expected ? "more than " : "", used,
                             " bytes, header says ", expected));
  }
  out.resize(used);
  return out;
}

Result<std::vector<std::uint8_t>> decompress_zstd(const ZstdFunctions& zs,
                                                  std::span<const std::uint8_t> in,
                                                  std::uint64_t expected) {
  ZSTD_DCtx* ctx = zs.ZSTD_createDCtx();
  if (!ctx) return make_error("zstd: out of memory");
  // Refuse frames that need a window larger than 128 MiB (zstd's own default cap): a crafted
  // header must not make the decoder allocate gigabytes.
  zs.ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, 27);
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
    rc = zs.ZSTD_decompressStream(ctx, &output, &input);
    bool progressed = output.pos != used || input.pos != before_in;
    used = output.pos;
    if (zs.ZSTD_isError(rc)) {
      std::string msg = zs.ZSTD_getErrorName(rc);
      zs.ZSTD_freeDCtx(ctx);
      return make_error(concat("zstd: ", msg));
    }
    if (rc != 0 && !progressed && input.pos == input.size && used < out.size()) {
      zs.ZSTD_freeDCtx(ctx);
      return make_error("zstd: compressed data is truncated");
    }
  }
  zs.ZSTD_freeDCtx(ctx);
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

Result<std::vector<std::uint8_t>> decompress_bytes(std::span<const std::uint8_t> compressed,
                                                   CompressionMethod method,
                                                   std::uint64_t expected_size) {
  if (method == CompressionMethod::zlib) {
    const Loaded<ZlibFunctions>& zl = zlib();
    if (!zl.status) return zl.status.error().with_context("decompressing needs zlib");
    return inflate_zlib(zl.fns, compressed, expected_size);
  }
  const Loaded<ZstdFunctions>& zs = zstd();
  if (!zs.status) return zs.status.error().with_context("decompressing needs zstd");
  return decompress_zstd(zs.fns, compressed, expected_size);
}

Result<Md5Digest> md5_digest(std::span<const std::uint8_t> bytes) {
  const Loaded<CryptoFunctions>& c = crypto();
  if (!c.status) return c.status.error().with_context("MD5 needs libcrypto");
  Md5Digest out{};
  unsigned int length = 0;
  if (c.fns.EVP_Digest(bytes.data(), bytes.size(), out.data(), &length, c.fns.EVP_md5(), nullptr) !=
          1 ||
      length != out.size()) {
    return make_error("libcrypto: EVP_Digest(MD5) failed");
  }
  return out;
}

}  // namespace aotc::codeobj
