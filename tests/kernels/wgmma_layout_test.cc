// The warpgroup path's layouts (kernels/pa_decode/pa_wgmma_layout.h), compiled for the host:
//  - the register fragments against CUTLASS's CuTe spelling of the PTX ISA's wgmma layouts
//    (cute/atom/mma_traits_sm90_gmma.hpp: ALayout_64x16, ALayout_64x32, CLayout_64xN), decoded
//    here from their shapes and strides;
//  - the shared-memory stages: keys and values are written where the kernel's copies put them,
//    then read back the way wgmma reads a K-major operand from the descriptor the kernel builds
//    (the fields decoded from the 64-bit descriptor, the canonical layout
//    ((8, n), 2) : ((W, SBO), 1) in 16-byte units, the swizzle XOR on the absolute address), for
//    every k-step of the score and PV products: each operand element must be the key (value) of
//    the token and dim the product needs;
//  - the PV step's A fragment taken from the score's D fragment in the same lane holds, for every
//    element, the probability of the token the value rows put at that k;
//  - the hi / lo e4m3 split of the 8-bit products keeps ~8 significant bits.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "pa_decode/pa_mma_layout.h"
#include "pa_decode/pa_wgmma_layout.h"

using namespace pa::layout;

namespace {

// A CuTe layout of the form ((4, 8, 4), (v0, v1, v2)) : ((ts0, ts1, ts2), (vs0, vs1, vs2)) over a
// column-major 64 x K (or 64 x N) matrix: (thread, value) -> m + 64 k.
struct CuteTv {
  std::array<int, 3> value_shape, thread_stride, value_stride;
  std::pair<int, int> operator()(int thread, int value) const {
    const int t[3] = {thread % 4, (thread / 4) % 8, thread / 32};
    const int v[3] = {value % value_shape[0], (value / value_shape[0]) % value_shape[1],
                      value / (value_shape[0] * value_shape[1])};
    int index = 0;
    for (int i = 0; i < 3; ++i) index += t[i] * thread_stride[i] + v[i] * value_stride[i];
    return {index % 64, index / 64};  // (row m, column k or n)
  }
};
// ALayout_64x32 (8-bit), ALayout_64x16 (16-bit), CLayout_64xN (f32, N / 8 tiles).
const CuteTv kA8{{4, 2, 2}, {256, 1, 16}, {64, 8, 1024}};
const CuteTv kA16{{2, 2, 2}, {128, 1, 16}, {64, 8, 512}};
CuteTv c_layout(int n) { return {{2, 2, n / 8}, {128, 1, 16}, {64, 8, 512}}; }

// wgmma's read of element (n, k) of a K-major B operand (k in bytes, < 32) from shared memory
// `smem` (offset 0 is 1024-aligned), given the instruction's descriptor.
uint8_t wgmma_read_b(const std::vector<uint8_t>& smem, uint64_t desc, int n, int k_byte) {
  const uint32_t start = uint32_t(desc & 0x3fff) << 4;
  const uint32_t sbo = uint32_t((desc >> 32) & 0x3fff) << 4;
  const int mode = int(desc >> 62);
  REQUIRE(mode != 0);  // the kernel uses swizzled layouts only
  const int width = mode == 1 ? 128 : mode == 2 ? 64 : 32;
  uint32_t address =
      start + uint32_t(n % 8) * uint32_t(width) + uint32_t(n / 8) * sbo + uint32_t(k_byte);
  address ^= ((address >> 7) & uint32_t(width / 16 - 1)) << 4;
  return smem.at(address);
}

// A stage's keys or values for one (element size, head dim): the kernel's copies write 16-byte
// units of the cache, each element an id of (token, dim) spread over its bytes.
struct Config {
  int elem_bytes;  // 1: fp8 (e4m3 wgmma), 2: bf16 / fp16
  int head_dim;
};
const Config kConfigs[] = {{2, 128}, {1, 128}, {2, 64}, {1, 64}};
constexpr int kTokens = 64;  // one slice

int width_of(int row_bytes) { return row_bytes < 128 ? row_bytes : 128; }
// Byte b of element (token, dim): distinct for every (token, dim, b) of a stage.
uint8_t id_byte(int token, int dim, int b) {
  return uint8_t((token * 131 + dim * 7 + b * 57) % 251);
}

int score_token(const Config& c, int n) { return c.elem_bytes == 1 ? wg_fp8_score_token(n) : n; }

}  // namespace

TEST_CASE("wgmma register fragments match CUTLASS's layouts") {
  for (int lane = 0; lane < 32; ++lane)
    for (int warp = 0; warp < 4; ++warp) {
      const int thread = 32 * warp + lane;
      for (int r = 0; r < 4; ++r)
        for (int b = 0; b < 4; ++b) {  // 8-bit: register r byte b is value 4 r + b
          const auto [m, k] = kA8(thread, 4 * r + b);
          CHECK(m == 16 * warp + wg_a8_row(lane, r));
          CHECK(k == wg_a8_col(lane, r, b));
        }
      for (int e = 0; e < 8; ++e) {  // 16-bit: element e (register e / 2) as mma.sync's A
        const auto [m, k] = kA16(thread, e);
        CHECK(m == 16 * warp + nv_a_row(lane, e));
        CHECK(k == nv_a_col(lane, e));
      }
      for (int n : {64, 128}) {
        const CuteTv c = c_layout(n);
        for (int e = 0; e < n / 2; ++e) {  // element 4 j + i: tile j, mma.sync C element i
          const auto [m, col] = c(thread, e);
          CHECK(m == 16 * warp + nv_c_row(lane, e % 4));
          CHECK(col == 8 * (e / 4) + nv_c_col(lane, e % 4));
        }
      }
    }
}

TEST_CASE("wgmma_fp8 key order: a permutation of the slice's tokens, inverted by key_row") {
  std::set<int> tokens;
  for (int n = 0; n < kTokens; ++n) {
    tokens.insert(wg_fp8_score_token(n));
    CHECK(wg_fp8_key_row(wg_fp8_score_token(n)) == n);
  }
  CHECK(tokens.size() == size_t(kTokens));
  CHECK(*tokens.rbegin() == kTokens - 1);
}

TEST_CASE("wgmma reads the staged keys as the score's B operand, every k-step") {
  for (const Config& c : kConfigs) {
    CAPTURE(c.elem_bytes, c.head_dim);
    const int row_bytes = c.head_dim * c.elem_bytes, width = width_of(row_bytes);
    std::vector<uint8_t> smem(size_t(kTokens * row_bytes), 0);
    std::vector<int> written(smem.size(), 0);
    // The copies: unit (chunk = 16 bytes of the token's dims, token) of the cache.
    const int kx = 16 / c.elem_bytes;
    for (int token = 0; token < kTokens; ++token)
      for (int chunk = 0; chunk < row_bytes / 16; ++chunk) {
        const int row = c.elem_bytes == 1 ? wg_fp8_key_row(token) : token;
        const uint32_t unit = wg_kmajor_offset(width, kTokens, row, 16 * chunk);
        REQUIRE(unit % 16 == 0);
        for (int byte = 0; byte < 16; ++byte) {
          const int dim = chunk * kx + byte / c.elem_bytes;
          smem.at(unit + byte) = id_byte(token, dim, byte % c.elem_bytes);
          ++written.at(unit + byte);
        }
      }
    for (int count : written) REQUIRE(count == 1);  // the stage is covered exactly once
    for (int step = 0; step < row_bytes / 32; ++step) {
      const uint64_t desc = wg_descriptor(wg_kstep_offset(width, kTokens, step), width);
      CHECK(((desc >> 32) & 0x3fff) << 4 == uint64_t(8 * width));
      for (int n = 0; n < kTokens; ++n)
        for (int k_byte = 0; k_byte < 32; ++k_byte) {
          const int dim = (32 * step + k_byte) / c.elem_bytes;
          REQUIRE(wgmma_read_b(smem, desc, n, k_byte) ==
                  id_byte(score_token(c, n), dim, k_byte % c.elem_bytes));
        }
    }
  }
}

TEST_CASE("wgmma reads the staged values as the PV's B operand, every k-step") {
  for (const Config& c : kConfigs) {
    CAPTURE(c.elem_bytes, c.head_dim);
    const int row_bytes = kTokens * c.elem_bytes, width = width_of(row_bytes);
    std::vector<uint8_t> smem(size_t(c.head_dim * row_bytes), 0);
    std::vector<int> written(smem.size(), 0);
    // The copies: unit (group = 16 bytes of the dim's tokens, dim) of the cache.
    const int tv = 16 / c.elem_bytes;
    for (int dim = 0; dim < c.head_dim; ++dim)
      for (int group = 0; group < row_bytes / 16; ++group) {
        const uint32_t unit = wg_kmajor_offset(width, c.head_dim, dim, 16 * group);
        for (int byte = 0; byte < 16; ++byte) {
          smem.at(unit + byte) =
              id_byte(group * tv + byte / c.elem_bytes, dim, byte % c.elem_bytes);
          ++written.at(unit + byte);
        }
      }
    for (int count : written) REQUIRE(count == 1);
    for (int step = 0; step < row_bytes / 32; ++step) {
      const uint64_t desc = wg_descriptor(wg_kstep_offset(width, c.head_dim, step), width);
      for (int n = 0; n < c.head_dim; ++n)
        for (int k_byte = 0; k_byte < 32; ++k_byte)
          REQUIRE(wgmma_read_b(smem, desc, n, k_byte) ==
                  id_byte((32 * step + k_byte) / c.elem_bytes, n, k_byte % c.elem_bytes));
    }
  }
}

TEST_CASE("the PV's A fragment comes from the score's D fragment in the same lane") {
  for (int elem_bytes : {1, 2}) {
    const Config c{elem_bytes, 128};
    const int per_reg = 4 / elem_bytes, k_per_step = 32 / elem_bytes;
    for (int lane = 0; lane < 32; ++lane)
      for (int u = 0; u < kTokens / k_per_step; ++u)
        for (int r = 0; r < 4; ++r)
          for (int e = 0; e < per_reg; ++e) {
            // Where the kernel takes it from: D tile and element of this lane.
            const int tile = wg_p_tile(elem_bytes, u, r, e), i = wg_p_element(elem_bytes, r, e);
            const int d_row = nv_c_row(lane, i);
            const int d_token = score_token(c, 8 * tile + nv_c_col(lane, i));
            // What the A layout says this element is: row and k (token of the value rows).
            const int a_row = elem_bytes == 1 ? wg_a8_row(lane, r) : nv_a_row(lane, 2 * r + e);
            const int a_k = elem_bytes == 1 ? wg_a8_col(lane, r, e) : nv_a_col(lane, 2 * r + e);
            CHECK(d_row == a_row);
            CHECK(d_token == k_per_step * u + a_k);
          }
  }
}

namespace {
// e4m3 (OCP "fn") round to nearest even with saturation to 448, as cvt.rn.satfinite does.
float to_e4m3(float x) {
  const float a = std::fabs(x);
  if (a >= 448.0f) return std::copysign(448.0f, x);
  // Spacing: 2^(e - 3) for normal values (e >= -6), 2^-9 for subnormals.
  const int e = a > 0.0f ? std::max(int(std::floor(std::log2(a))), -6) : -6;
  const float step = std::ldexp(1.0f, e - 3);
  return std::copysign(std::nearbyint(a / step) * step, x);
}
}  // namespace

TEST_CASE("the hi / lo e4m3 split keeps about 8 significant bits") {
  // x as the kernel scales it: a row's largest |x| in [128, 256), through f16 like the kernel.
  // hi + lo keeps 8 bits down to where lo becomes an e4m3 subnormal (step 2^-9): the error is
  // within 2^-8 |x| + 2^-10, i.e. 2^-8 relative or 2^-17 of the row's largest.
  float worst_bound = 0.0f, worst_large = 0.0f;
  for (int i = 0; i < 40000; ++i) {
    const float x = float(_Float16(std::ldexp(1.0f + float(i % 997) / 997.0f, i % 18 - 10)));
    const float hi = to_e4m3(x);
    const float lo = to_e4m3(float(_Float16(x - hi)));
    const float error = std::fabs(hi + lo - x);
    worst_bound = std::max(worst_bound, error / (std::ldexp(x, -8) + std::ldexp(1.0f, -10)));
    if (x >= 2.0f) worst_large = std::max(worst_large, error / x);
  }
  CHECK(worst_bound <= 1.0f);
  CHECK(worst_large <= std::ldexp(1.0f, -8));  // bf16's own rounding
  CHECK(worst_large > std::ldexp(1.0f, -12));  // e4m3 alone would be 2^-4; the check sees it
}
