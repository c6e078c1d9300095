// The number-format conversions the kernel runs (kernels/gpu_portability.h, compiled here for the
// host) against the format definitions (the reference's decoders) and against values the
// specifications name.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "gpu_portability.h"
#include "pa_cases.h"
#include "pa_reference.h"

using namespace aotc::pa_ref;

namespace {

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

TEST_CASE("fp8 e4m3fn: all 256 codes decode as the OCP definition says") {
  for (int code = 0; code < 256; ++code) {
    INFO("code 0x" << std::hex << code);
    CHECK(same_value(gpu::fp8_e4m3fn_to_float(uint8_t(code)), decode_fp8_e4m3fn(uint8_t(code))));
  }
  // OFP8 specification, E4M3 table: max normal 448, min normal 2^-6, min subnormal 2^-9.
  CHECK(gpu::fp8_e4m3fn_to_float(0x7e) == 448.0f);
  CHECK(gpu::fp8_e4m3fn_to_float(0x08) == std::ldexp(1.0f, -6));
  CHECK(gpu::fp8_e4m3fn_to_float(0x01) == std::ldexp(1.0f, -9));
  CHECK(gpu::fp8_e4m3fn_to_float(0x38) == 1.0f);
  CHECK(std::signbit(gpu::fp8_e4m3fn_to_float(0x80)));
  CHECK(std::isnan(gpu::fp8_e4m3fn_to_float(0xff)));
  CHECK(std::isnan(decode_fp8_e4m3fn(0x7f)));
}

TEST_CASE("fp8 e4m3fnuz: all 256 codes decode as the FNUZ definition says") {
  for (int code = 0; code < 256; ++code) {
    INFO("code 0x" << std::hex << code);
    CHECK(
        same_value(gpu::fp8_e4m3fnuz_to_float(uint8_t(code)), decode_fp8_e4m3fnuz(uint8_t(code))));
  }
  // FNUZ: bias 8, max 240, min subnormal 2^-10, 0x80 the only NaN, 0x7f and 0xff finite.
  CHECK(gpu::fp8_e4m3fnuz_to_float(0x7f) == 240.0f);
  CHECK(gpu::fp8_e4m3fnuz_to_float(0xff) == -240.0f);
  CHECK(gpu::fp8_e4m3fnuz_to_float(0x01) == std::ldexp(1.0f, -10));
  CHECK(gpu::fp8_e4m3fnuz_to_float(0x40) == 1.0f);
  CHECK(std::isnan(gpu::fp8_e4m3fnuz_to_float(0x80)));
  int nans = 0;
  for (int code = 0; code < 256; ++code) nans += std::isnan(decode_fp8_e4m3fnuz(uint8_t(code)));
  CHECK(nans == 1);
}

TEST_CASE("bf16 and fp16: every bit pattern decodes as its definition says") {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    if (!same_value(gpu::bf16_to_float(uint16_t(bits)), decode_bf16(uint16_t(bits))) ||
        !same_value(gpu::fp16_to_float(uint16_t(bits)), decode_fp16(uint16_t(bits)))) {
      FAIL("bit pattern 0x" << std::hex << bits);
    }
  }
}

TEST_CASE("float to bf16 rounds to nearest even and keeps NaN") {
  CHECK(gpu::float_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);      // tie, even below
  CHECK(gpu::float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3f82);  // tie, even above
  CHECK(gpu::float_to_bf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)) == 0x3f81);
  CHECK(std::isnan(gpu::bf16_to_float(gpu::float_to_bf16(std::nanf("")))));
  CHECK(gpu::float_to_bf16(-2.0f) == 0xc000);
  CHECK(gpu::float_to_fp16(65504.0f) == 0x7bff);
  CHECK(gpu::float_to_fp16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);  // tie, even below
}

TEST_CASE("input encoders round like the kernel's conversions") {
  std::mt19937 rng(5);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    if (std::isnan(f)) continue;
    INFO("float bits 0x" << std::hex << bits);
    REQUIRE(encode_bf16(f) == gpu::float_to_bf16(f));
    REQUIRE(encode_fp16(f) == gpu::float_to_fp16(f));
    if (!std::isfinite(f) || f == 0.0f) continue;
    const float small = std::ldexp(f, -std::ilogb(f) + int(rng() % 40) - 25);  // near fp16's range
    REQUIRE(encode_fp16(small) == gpu::float_to_fp16(small));
  }
}
