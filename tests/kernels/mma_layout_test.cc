// The matrix paths' fragment layouts (kernels/pa_decode/pa_mma_layout.h), compiled for the host:
//  - the fragment index functions against the vendors' documented layouts, written here in the
//    documents' own direction (NVIDIA PTX ISA "Matrix Fragments for mma.m16n8k16": register ->
//    element; AMD Matrix Instruction Calculator --register-layout: element -> lane and item);
//  - the orders the kernels choose (which dims and tokens each lane loads) against what each
//    fragment element must hold, register by register, as the kernel code indexes them.
// No AMD GPU exists here, so for the MFMA path this test is the check of its data movement.
#include <catch2/catch.hpp>
#include <set>
#include <utility>

#include "pa_decode/pa_mma_layout.h"

using namespace pa::layout;

TEST_CASE("NVIDIA m16n8k16 fragments match the PTX ISA tables") {
  for (int lane = 0; lane < 32; ++lane) {
    const int group_id = lane >> 2, thread_in_group = lane % 4;
    for (int i = 0; i < 8; ++i) {  // a0..a7
      CHECK(nv_a_row(lane, i) == ((i < 2 || (i >= 4 && i < 6)) ? group_id : group_id + 8));
      CHECK(nv_a_col(lane, i) == thread_in_group * 2 + (i & 1) + (i >= 4 ? 8 : 0));
    }
    for (int i = 0; i < 4; ++i) {  // b0..b3, c0..c3
      CHECK(nv_b_row(lane, i) == thread_in_group * 2 + (i & 1) + (i >= 2 ? 8 : 0));
      CHECK(nv_b_col(lane, i) == group_id);
      CHECK(nv_c_row(lane, i) == (i < 2 ? group_id : group_id + 8));
      CHECK(nv_c_col(lane, i) == thread_in_group * 2 + (i & 1));
    }
  }
  // Each fragment covers its matrix exactly once.
  std::set<std::pair<int, int>> a, b, c;
  for (int lane = 0; lane < 32; ++lane) {
    for (int i = 0; i < 8; ++i) a.insert({nv_a_row(lane, i), nv_a_col(lane, i)});
    for (int i = 0; i < 4; ++i) b.insert({nv_b_row(lane, i), nv_b_col(lane, i)});
    for (int i = 0; i < 4; ++i) c.insert({nv_c_row(lane, i), nv_c_col(lane, i)});
  }
  CHECK(a.size() == 256);
  CHECK(b.size() == 128);
  CHECK(c.size() == 128);
}

TEST_CASE("NVIDIA path: key chunks and query pairs feed the score mma consistently") {
  for (int kx : {8, 16})
    for (int head_dim : {64, 128, 256}) {
      const int steps = head_dim / 16, spc = kx / 4;
      std::set<int> dims;
      for (int s = 0; s < steps; ++s)
        for (int k = 0; k < 16; ++k) dims.insert(nv_score_dim(kx, s, k));
      CHECK(int(dims.size()) == head_dim);
      CHECK(*dims.rbegin() == head_dim - 1);
      for (int lane = 0; lane < 32; ++lane)
        for (int s = 0; s < steps; ++s) {
          // The kernel: lane loads key chunk 4 (s / spc) + lane % 4 of its token; b0,b1 and b2,b3
          // are chunk elements 4 (s % spc) + {0,1} and + {2,3}.
          for (int e = 0; e < 4; ++e)
            CHECK(nv_score_dim(kx, s, nv_b_row(lane, e)) ==
                  (4 * (s / spc) + lane % 4) * kx + 4 * (s % spc) + e);
          // Query: register r holds a{2r, 2r+1}, two adjacent dims loaded as one 32-bit word.
          for (int r = 0; r < 4; ++r) {
            const int d0 = nv_score_dim(kx, s, nv_a_col(lane, 2 * r));
            CHECK(nv_score_dim(kx, s, nv_a_col(lane, 2 * r + 1)) == d0 + 1);
            CHECK(d0 % 2 == 0);
          }
        }
    }
}

TEST_CASE("NVIDIA path: score tiles become the PV A fragment and value chunks its B fragment") {
  for (int tv : {8, 16}) {
    std::set<int> tokens;
    for (int tile = 0; tile < tv / 2; ++tile)
      for (int n = 0; n < 8; ++n) tokens.insert(nv_group_token(tv, tile, n));
    CHECK(int(tokens.size()) == 4 * tv);
    CHECK(*tokens.rbegin() == 4 * tv - 1);
    for (int lane = 0; lane < 32; ++lane)
      for (int u = 0; u < tv / 4; ++u) {
        // A register r of step u is score tile 2u + r / 2, C elements 2 (r % 2) + {0, 1}.
        for (int e = 0; e < 8; ++e) {
          const int r = e / 2, tile = 2 * u + r / 2, ce = 2 * (r % 2) + e % 2;
          CHECK(nv_a_row(lane, e) == nv_c_row(lane, ce));
          CHECK(nv_pv_token(tv, u, nv_a_col(lane, e)) ==
                nv_group_token(tv, tile, nv_c_col(lane, ce)));
        }
        // B element e: value chunk (tokens tv * (lane % 4) ..) element 4u + e of dim lane / 4.
        for (int e = 0; e < 4; ++e)
          CHECK(nv_pv_token(tv, u, nv_b_row(lane, e)) == tv * (lane % 4) + 4 * u + e);
      }
  }
}

TEST_CASE("AMD MFMA 16x16xK fragments match the matrix instruction calculator's layouts") {
  for (int kl : {4, 8}) {  // K = 16 (gfx90a, gfx942), K = 32 (gfx950)
    const int k_dim = 4 * kl;
    for (int i = 0; i < 16; ++i)
      for (int k = 0; k < k_dim; ++k) {
        // A[i][k]: lane i + 16 * floor(k / kl), item k % kl.   B[k][j]: lane j + 16 * floor(k /
        // kl).
        const int lane = i + 16 * (k / kl), item = k % kl;
        CHECK(amd_a_row(lane, item) == i);
        CHECK(amd_a_col(kl, lane, item) == k);
        CHECK(amd_b_row(kl, lane, item) == k);
        CHECK(amd_b_col(lane, item) == i);
      }
    // C/D[i][j]: lane j + 16 * floor(i / 4), item i % 4.
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 16; ++j) {
        const int lane = j + 16 * (i / 4), item = i % 4;
        CHECK(amd_c_row(lane, item) == i);
        CHECK(amd_c_col(lane, item) == j);
      }
  }
}

TEST_CASE("AMD path: key chunks and query feed S^T = K Q^T consistently") {
  for (int kx : {8, 16})
    for (int kl : {4, 8})
      for (int head_dim : {64, 128, 256}) {
        const int k_dim = 4 * kl, steps = head_dim / k_dim, spc = kx / kl;
        std::set<int> dims;
        for (int s = 0; s < steps; ++s)
          for (int k = 0; k < k_dim; ++k) dims.insert(amd_score_dim(kx, kl, s, k));
        CHECK(int(dims.size()) == head_dim);
        CHECK(*dims.rbegin() == head_dim - 1);
        for (int lane = 0; lane < 64; ++lane)
          for (int s = 0; s < steps; ++s)
            for (int e = 0; e < kl; ++e) {
              // The kernel: lane loads key chunk 4 (s / spc) + lane / 16; the operand is chunk
              // elements kl (s % spc) + e; query dims are the same k, read as kl consecutive dims.
              const int expected = (4 * (s / spc) + lane / 16) * kx + kl * (s % spc) + e;
              CHECK(amd_score_dim(kx, kl, s, amd_a_col(kl, lane, e)) == expected);
              CHECK(amd_score_dim(kx, kl, s, amd_b_row(kl, lane, e)) == expected);
            }
      }
}

TEST_CASE("AMD path: score tiles become P^T operands and value chunks V^T operands") {
  for (int tv : {8, 16})
    for (int kl : {4, 8}) {
      std::set<int> tokens;
      for (int tile = 0; tile < tv / 4; ++tile)
        for (int r = 0; r < 16; ++r) tokens.insert(amd_group_token(tv, tile, r));
      CHECK(int(tokens.size()) == 4 * tv);
      CHECK(*tokens.rbegin() == 4 * tv - 1);
      for (int lane = 0; lane < 64; ++lane)
        for (int v = 0; v < tv / kl; ++v)
          for (int e = 0; e < kl; ++e) {
            // P^T item e of step v: this lane's score tile (kl / 4) v + e / 4, C item e % 4.
            const int tile = (kl / 4) * v + e / 4;
            CHECK(amd_b_col(lane, e) == amd_c_col(lane, e % 4));
            CHECK(amd_pv_token(tv, kl, v, amd_b_row(kl, lane, e)) ==
                  amd_group_token(tv, tile, amd_c_row(lane, e % 4)));
            // V^T item e: value chunk (tokens tv * (lane / 16) ..) element kl v + e of dim lane
            // % 16.
            CHECK(amd_pv_token(tv, kl, v, amd_a_col(kl, lane, e)) == tv * (lane / 16) + kl * v + e);
          }
    }
}
