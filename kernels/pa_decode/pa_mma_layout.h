// Fragment layouts of the matrix instructions the pa_decode matrix paths use, as index functions
// compiled for the device and for the host (tests/kernels checks them against the vendors'
// documented layouts; no AMD GPU exists here, so that test is the check for the AMD path).
//
// The paths choose *which* dims and tokens go into a fragment so that every lane's operands come
// straight from one 16-byte load of the paged cache: a dot product does not care in which order
// its terms are summed, as long as query and key (or probability and value) agree on it.
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

// Score step (Q x K^T), k = head dim. A lane of quad position q loads key chunk 4 * j + q
// (kx dims, 16 bytes) of its token, for j = 0 .. D / (4 kx) - 1; mma k-step s takes from chunk
// j = s / (kx / 4) the dims at offset 4 * (s % (kx / 4)) + {0..3}. So fragment column k of step
// s is head dim:
constexpr int nv_score_dim(int kx, int step, int k) {
  int spc = kx / 4;  // k-steps per chunk
  int q = (k % 8) / 2, h = k / 8, e = k % 2;
  return (4 * (step / spc) + q) * kx + 4 * (step % spc) + 2 * h + e;
}

// Token order inside a group of 4 * tv tokens (tv = tokens per 16-byte value chunk): score tile
// tau (8 tokens), column n holds group token tv * (n / 2) + 4 * (tau / 2) + 2 * (tau % 2) + n % 2.
// Then the probabilities of PV k-step u (score tiles 2u, 2u+1 read as an A fragment) that lane
// quad position q needs are exactly tokens tv * q + 4u + {0..3}: one value chunk per dim.
constexpr int nv_group_token(int tv, int tile, int n) {
  return tv * (n / 2) + 4 * (tile / 2) + 2 * (tile % 2) + n % 2;
}

// PV k-step u: A fragment column k (a probability) is group token:
constexpr int nv_pv_token(int tv, int step, int k) {
  return nv_group_token(tv, 2 * step + k / 8, k % 8);
}

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
