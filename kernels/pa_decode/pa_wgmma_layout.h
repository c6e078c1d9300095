// Shared-memory and register layouts of the warpgroup matrix path (pa_wgmma_nv.h: wgmma, sm_90a),
// as index functions compiled for the device and for the host (tests/kernels/wgmma_layout_test.cc
// checks them against an emulation of how wgmma reads its operands).
//
// Sources (PTX ISA "Asynchronous Warpgroup Level Matrix" sections; CUTLASS's
// cute/atom/mma_traits_sm90_gmma.hpp spells the same layouts as CuTe layouts):
// - A operand from registers, per warp w of the warpgroup (rows 16 w .. 16 w + 15), lane l,
//   g = l / 4, q = l % 4, register r (0..3):
//     16-bit (k16): halves h = 0, 1 of r: row g + 8 (r % 2), col 2 q + 8 (r / 2) + h
//     8-bit  (k32): bytes b = 0..3 of r:  row g + 8 (r % 2), col 4 q + 16 (r / 2) + b
//   (mma.sync's m16n8k16 and m16n8k32 A layouts, one per warp).
// - D (f32, m64nN), per warp: element 4 j + 2 h + e is row g + 8 h, col 8 j + 2 q + e (mma.sync's
//   C layout repeated over the N / 8 tiles): nv_c_row / nv_c_col of pa_mma_layout.h.
// - B from shared memory, "K-major" (each of the N rows holds its K elements contiguously), with
//   a swizzle of width W = 128, 64 or 32 bytes: row n of an atom starts at W n, 8-row groups
//   follow each other (the descriptor's stride byte offset, SBO = 8 W), and the 16-byte column c
//   of a row is stored at column c ^ ((address / 128) % (W / 16)), the XOR taken on the absolute
//   shared-memory address (so atoms start 8 W-aligned; the stages here are 1024-aligned). One
//   instruction reads 32 bytes of K per row (k16 of 16-bit, k32 of 8-bit); the next k-step's
//   descriptor starts 32 bytes further along the row (a K extent longer than W continues in the
//   next atom: N rows further).
// - Descriptor (64 bits): bits 0-13 start address >> 4, 16-29 leading byte offset >> 4 (unused
//   by swizzled K-major layouts; 1 by convention), 32-45 SBO >> 4, 62-63 swizzle (1 = 128 B,
//   2 = 64 B, 3 = 32 B).
#pragma once

#include "gpu_portability.h"

namespace pa::layout {

// The byte offset of the swizzled address, relative to a base aligned to 1024 bytes.
constexpr uint32_t wg_swizzle(int width, uint32_t offset) {
  return offset ^ (((offset >> 7) & uint32_t(width / 16 - 1)) << 4);
}

// Byte k_byte of row `row` of a K-major tile of `rows` rows whose rows hold the K extent in atoms
// of `width` bytes (width = min(128, the K extent in bytes)).
constexpr uint32_t wg_kmajor_offset(int width, int rows, int row, int k_byte) {
  return uint32_t(k_byte / width) * uint32_t(rows * width) +
         wg_swizzle(width, uint32_t(row * width + k_byte % width));
}

// Where the descriptor of k-step `step` (bytes 32 step .. 32 step + 31 of every row) starts.
constexpr uint32_t wg_kstep_offset(int width, int rows, int step) {
  return uint32_t(32 * step / width) * uint32_t(rows * width) + uint32_t(32 * step % width);
}

constexpr uint64_t wg_descriptor(uint32_t address, int width) {
  const uint64_t mode = width == 128 ? 1 : width == 64 ? 2 : 3;
  return uint64_t((address >> 4) & 0x3fff) | (uint64_t(1) << 16) |
         (uint64_t((8 * width) >> 4) << 32) | (mode << 62);
}

// 8-bit operands (fp8 KV): the PV step's A register r of k32 step u holds the probabilities of
// tokens 32 u + 4 q + 16 (r / 2) + {0..3}, while the score's D gives lane q the columns
// 8 j + 2 q + {0, 1}. The keys are stored in the score's N order such that the two agree: score
// column n is token wg_fp8_score_token(n), and A register r's bytes come from D tiles
// 4 u + 2 (r / 2) + {0, 1}, elements 2 (r % 2) + {0, 1}:
//   n = 8 (4 u + i) + 2 q + e  ->  token 32 u + 16 (i / 2) + 4 q + 2 (i % 2) + e.
constexpr int wg_fp8_score_token(int n) {
  const int u = n / 32, i = (n / 8) % 4, q = (n % 8) / 2, e = n % 2;
  return 32 * u + 16 * (i / 2) + 4 * q + 2 * (i % 2) + e;
}
// Its inverse: the key row (score column) that holds token t of the slice.
constexpr int wg_fp8_key_row(int token) {
  const int u = token / 32, h = (token % 32) / 16, q = (token % 16) / 4, b = token % 4;
  return 32 * u + 8 * (2 * h + b / 2) + 2 * q + b % 2;
}

// The PV step's A fragment from the score's D fragment, in the same lane: element e of register r
// of k-step u (e: half of a 16-bit register, byte of an 8-bit one) is element wg_p_element of D
// tile wg_p_tile (16-bit: tiles 2u, 2u + 1 are k16 step u, as with mma.sync).
constexpr int wg_p_tile(int elem_bytes, int u, int r, int e) {
  return elem_bytes == 1 ? 4 * u + 2 * (r / 2) + e / 2 : 2 * u + r / 2;
}
constexpr int wg_p_element(int elem_bytes, int r, int e) {
  return 2 * (r % 2) + (elem_bytes == 1 ? e % 2 : e);
}

// 8-bit A fragment (k32): register r, byte b of lane l (rows relative to the warp's 16).
constexpr int wg_a8_row(int lane, int r) { return lane / 4 + 8 * (r % 2); }
constexpr int wg_a8_col(int lane, int r, int b) { return 4 * (lane % 4) + 16 * (r / 2) + b; }

}  // namespace pa::layout
