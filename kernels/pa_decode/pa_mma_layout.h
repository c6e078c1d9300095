// Fragment layouts of the matrix instructions the pa_decode matrix paths use, as index functions
// compiled for the device and for the host (tests/kernels checks them against the vendors'
// documented layouts; no AMD GPU exists here, so that test is the check for the AMD path).
//
// The AMD path chooses *which* dims and tokens go into a fragment so that every lane's operands
// come straight from one 16-byte load of the paged cache: a dot product does not care in which
// order its terms are summed, as long as query and key (or probability and value) agree on it.
// The NVIDIA path stages tiles in shared memory and reads the standard orders with ldmatrix.
#pragma once

#include "gpu_portability.h"

namespace pa::layout {

// ---------------------------------------------------------------------------------------------
// NVIDIA mma.sync.aligned.m16n8k16 (PTX ISA, "Matrix Fragments for mma.m16n8k16" with .f16 /
// .bf16): lane l, group g = l / 4, thread-in-group q = l % 4.
//   A (16x16, row): a{0,1}: (row g,   col 2q + {0,1})   a{2,3}: (row g+8, col 2q + {0,1})
//                   a{4,5}: (row g,   col 2q+8+{0,1})   a{6,7}: (row g+8, col 2q+8+{0,1})
//   B (16x8,  col): b{0,1}: (row 2q + {0,1},   col g)   b{2,3}: (row 2q+8+{0,1}, col g)
//   C (16x8):       c{0,1}: (row g, col 2q + {0,1})     c{2,3}: (row g+8, col 2q + {0,1})
// Element e (0..7 of A, 0..3 of B, 0..3 of C) of lane l:
constexpr int nv_a_row(int lane, int e) { return lane / 4 + 8 * ((e / 2) % 2); }
constexpr int nv_a_col(int lane, int e) { return 2 * (lane % 4) + e % 2 + 8 * (e / 4); }
constexpr int nv_b_row(int lane, int e) { return 2 * (lane % 4) + e % 2 + 8 * (e / 2); }
constexpr int nv_b_col(int lane, int e) { return lane / 4 + 0 * e; }
constexpr int nv_c_row(int lane, int e) { return lane / 4 + 8 * (e / 2); }
constexpr int nv_c_col(int lane, int e) { return 2 * (lane % 4) + e % 2; }

// The staged NVIDIA path (pa_staged_nv.h) keeps a tile of keys and values in shared memory as
// 16-byte units and reads mma operands from it with ldmatrix.x4: lane l gives the address of row
// l % 8 of matrix l / 8 and receives register m = elements 2 (l % 4), 2 (l % 4) + 1 of row l / 4
// of matrix m. 16-bit units: a key unit holds 8 consecutive dims of one token, a value unit 8
// consecutive tokens of one dim.
//
// Keys: unit (chunk c = dims 8c .. 8c + 7, tile token t) at index c * tile_tokens + t, so the 8
// tokens of one ldmatrix matrix are 128 contiguous bytes (no bank conflict).
constexpr int nv_key_unit(int tile_tokens, int chunk, int token) {
  return chunk * tile_tokens + token;
}
// Values: unit (group g = tokens 8g .. 8g + 7, dim d) of a tile whose groups come in runs of
// `run` (a power of two, at most 8: the groups one block part of the copier holds, see
// pa_staged_nv.h): run g / run at (g / run) x head_dim x run, inside it dim-major like the paged
// cache, d x run + g % run, with the unit's 16-byte column in its 128-byte row XORed with
// (row % run). So the lanes of a copy instruction, which walk one block's bytes in order, write
// neighbouring units: lanes sharing a 32-byte sector of the cache share a 32-byte slot, and each
// 8-lane run fills one 128-byte row. (Group-major over the whole tile, the L1 turned every lane's
// 16 bytes into a request of its own: 24 sectors per 512-byte copy instruction instead of 16, the
// L2's tag lookups at 87%; dim-major over the whole tile, fp8 parts with one unit per dim wrote
// 32-64 bytes apart: KERNEL_NOTES, runs 16 and 17.) The XOR puts the 8 dims of one ldmatrix
// matrix (`run` rows) in 8 distinct 16-byte bank groups, and is unchanged when the dim moves by a
// multiple of 8, as one lane's successive copies do. Raw fp8 stages use the same function with
// units of 16 dims / 16 tokens.
constexpr int nv_value_unit(int head_dim, int run, int group, int dim) {
  const int unit = dim * run + group % run;
  return group / run * head_dim * run + ((unit & ~7) | ((unit % 8) ^ ((unit / 8) % run)));
}
// Score step s (dims 16s .. 16s + 15) for a pair of n8 tiles (16 tokens): matrix m holds the keys
// of n tile m / 2 (tokens 8 (m / 2) + row) at chunk 2s + m % 2, so registers 0,1 are b0b1, b2b3
// of the first n tile and registers 2,3 those of the second.
constexpr int nv_score_ldm_token(int lane) { return 8 * (lane / 16) + lane % 8; }
constexpr int nv_score_ldm_chunk(int step, int lane) { return 2 * step + (lane / 8) % 2; }
// PV k-step u (tokens 16u .. 16u + 15) for a pair of n8 dim tiles p: matrix m holds dims
// 8 (2p + m / 2) + row of token group 2u + m % 2.
constexpr int nv_pv_ldm_dim(int pair, int lane) { return 8 * (2 * pair + lane / 16) + lane % 8; }
constexpr int nv_pv_ldm_group(int step, int lane) { return 2 * step + (lane / 8) % 2; }

// fp8 caches are staged raw and widened after ldmatrix, in registers (pa_staged_nv.h): a 16-byte
// unit holds 16 dims of one token (keys) or 16 tokens of one dim (values), so ldmatrix gives lane l
// bytes 4q .. 4q + 3 (q = l % 4) of row l / 4 of each matrix, and one cvt.f16x2.e4m3x2 per half
// makes b0b1 (bytes 4q, 4q + 1) and b2b3 (bytes 4q + 2, 4q + 3). So operand row k of the k16 step
// is element nv_fp8_order(k) of the unit. A dot product does not care about the order of its
// terms: the query dims (A of the score step) and the probabilities (A of the PV step) are placed
// in the same order.
constexpr int nv_fp8_order(int k) { return 4 * ((k % 8) / 2) + k % 2 + 2 * (k / 8); }
// Score tile `tile`'s column c is the token whose probability the PV step needs at row
// 8 (tile % 2) + c of its k16 step tile / 2: C element (row, 2q + e) of tiles 2u and 2u + 1 are
// exactly A elements (row, 2q + e) and (row, 2q + 8 + e) of PV step u, in the same lane.
constexpr int nv_fp8_score_token(int tile, int col) {
  return 16 * (tile / 2) + nv_fp8_order(8 * (tile % 2) + col);
}
// Raw fp8 keys: unit (chunk c = dims 16c .. 16c + 15, token t). A score matrix's 8 tokens are
// 16u + {0, 1, 4, 5, 8, 9, 12, 13} (or + 2): contiguous units would put two rows in each 16-byte
// bank group, so bit 3 of the token is XORed into bit 1 of its slot.
constexpr int nv_fp8_key_unit(int tile_tokens, int chunk, int token) {
  return chunk * tile_tokens + (token ^ ((token >> 2) & 2));
}
// Score ldmatrix.x4 over `tiles` n8 tiles (4, or 2 for 16-token slices, then over 2 k-steps):
// matrix m = lane / 8 is tile m % tiles of the load's first, at chunk (k-step) m / tiles of its
// first; lane l gives row l % 8's address.
constexpr int nv_fp8_score_ldm_tile(int tiles, int lane) { return (lane / 8) % tiles; }
constexpr int nv_fp8_score_ldm_chunk(int tiles, int lane) { return (lane / 8) / tiles; }
// PV ldmatrix.x4 of step u over four n8 dim tiles (dims 32 quad .. 32 quad + 31): matrix m holds
// dims 8 (4 quad + m) + row of token group u (one raw value unit per dim).
constexpr int nv_fp8_pv_ldm_dim(int quad, int lane) { return 8 * (4 * quad + lane / 8) + lane % 8; }

}  // namespace pa::layout

namespace pa::layout {

// ---------------------------------------------------------------------------------------------
// AMD v_mfma_f32_16x16x16{f16,bf16} (gfx90a, gfx942) and v_mfma_f32_16x16x32{f16,bf16} (gfx950),
// wave64, one block. With kl = K / 4 operand elements per lane, lane l, g = l / 16, i = l % 16
// (AMD Matrix Instruction Calculator, --register-layout; CDNA3 ISA guide section 7):
//   A (16 x K): lane l, item e holds A[i][kl * g + e]
//   B (K x 16): lane l, item e holds B[kl * g + e][i]
//   C (16 x 16): lane l, item e holds C[4 * g + e][i]            (e < 4)
constexpr int amd_a_row(int lane, int e) { return lane % 16 + 0 * e; }
constexpr int amd_a_col(int kl, int lane, int e) { return kl * (lane / 16) + e; }
constexpr int amd_b_row(int kl, int lane, int e) { return kl * (lane / 16) + e; }
constexpr int amd_b_col(int lane, int e) { return lane % 16 + 0 * e; }
constexpr int amd_c_row(int lane, int e) { return 4 * (lane / 16) + e; }
constexpr int amd_c_col(int lane, int e) { return lane % 16 + 0 * e; }

// The AMD path computes S^T = K Q^T (tokens as M, query rows as N) so that the score tile's C
// layout is already P^T's B layout for O^T = V^T P^T: no data moves between lanes.
// Score k-step s, A/B column (resp. row) k is head dim: lane group g loads key chunk 4 j + g.
constexpr int amd_score_dim(int kx, int kl, int step, int k) {
  int spc = kx / kl;  // k-steps per 16-byte key chunk
  return (4 * (step / spc) + k / kl) * kx + kl * (step % spc) + k % kl;
}

// Token order in a group of 4 * tv tokens: score tile u (16 tokens) row r is group token
// tv * (r / 4) + 4 u + r % 4, so lane group g's probabilities of PV k-step v are tokens
// tv * g + kl * v + {0 .. kl - 1}: one value chunk (tokens tv * g ..) per dim.
constexpr int amd_group_token(int tv, int tile, int r) { return tv * (r / 4) + 4 * tile + r % 4; }

// PV k-step v: B row k (a probability, from score tile (kl / 4) v + (k % kl) / 4, row
// 4 (k / kl) + k % 4 of the same lane) is group token:
constexpr int amd_pv_token(int tv, int kl, int step, int k) {
  return amd_group_token(tv, (kl / 4) * step + (k % kl) / 4, 4 * (k / kl) + k % 4);
}

}  // namespace pa::layout
