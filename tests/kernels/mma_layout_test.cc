// The matrix paths' fragment layouts (kernels/pa_decode/pa_mma_layout.h), compiled for the host:
//  - the fragment index functions against the vendors' documented layouts, written here in the
//    documents' own direction (NVIDIA PTX ISA "Matrix Fragments for mma.m16n8k16": register ->
//    element; AMD Matrix Instruction Calculator --register-layout: element -> lane and item);
//  - the orders the kernels choose (which dims and tokens each lane loads) against what each
//    fragment element must hold, register by register, as the kernel code indexes them.
// No AMD GPU exists here, so for the MFMA path this test is the check of its data movement.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <set>
#include <utility>
#include <vector>

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

// ldmatrix.x4 as the PTX ISA defines it: lane l supplies the address of row l % 8 of matrix l / 8
// (a row is 16 bytes), and receives in register m the 4 bytes at 4 (l % 4) of row l / 4 of matrix
// m: elements 2 (l % 4), 2 (l % 4) + 1 of 16-bit data (kElems 2), bytes 4 (l % 4) .. + 3 of 8-bit
// data (kElems 4). `smem` holds one id per element; `unit_of_lane` gives each lane's row address
// as a 16-byte unit index into it. Returns element e of register m for every lane.
template <int kElems, class UnitOfLane>
std::vector<std::array<std::array<int, kElems>, 4>> ldmatrix_x4(const std::vector<int>& smem,
                                                                UnitOfLane unit_of_lane) {
  std::vector<std::array<std::array<int, kElems>, 4>> regs(32);
  for (int lane = 0; lane < 32; ++lane)
    for (int m = 0; m < 4; ++m) {
      const int row_unit = unit_of_lane(8 * m + lane / 4);
      for (int e = 0; e < kElems; ++e)
        regs[lane][m][e] = smem.at(4 * kElems * row_unit + kElems * (lane % 4) + e);
    }
  return regs;
}

TEST_CASE("NVIDIA staged path: ldmatrix of the key stage gives the score step's B fragments") {
  constexpr int kTileTokens = 64;
  for (int head_dim : {64, 128, 256}) {
    // Element (token t, dim d) of the tile holds t * 1000 + d, placed as the copies place it.
    std::vector<int> smem(head_dim * kTileTokens, -1);
    for (int t = 0; t < kTileTokens; ++t)
      for (int d = 0; d < head_dim; ++d)
        smem[8 * nv_key_unit(kTileTokens, d / 8, t) + d % 8] = t * 1000 + d;
    for (int tok0 : {0, 16, 32, 48})
      for (int s = 0; s < head_dim / 16; ++s) {
        auto regs = ldmatrix_x4<2>(smem, [&](int lane) {
          return nv_key_unit(kTileTokens, nv_score_ldm_chunk(s, lane),
                             tok0 + nv_score_ldm_token(lane));
        });
        // Registers 0,1 are b0b1, b2b3 of n tile tok0 .. +7; registers 2,3 of tok0 + 8 .. +15:
        // B[k][n] = K[token n][dim 16 s + k].
        for (int lane = 0; lane < 32; ++lane)
          for (int tile = 0; tile < 2; ++tile)
            for (int e = 0; e < 4; ++e) {
              const int token = tok0 + 8 * tile + nv_b_col(lane, e);
              const int dim = 16 * s + nv_b_row(lane, e);
              CHECK(regs[lane][2 * tile + e / 2][e % 2] == token * 1000 + dim);
            }
      }
  }
}

TEST_CASE("NVIDIA staged path: ldmatrix of the value stage gives the PV step's B fragments") {
  constexpr int kTileTokens = 64;
  for (int head_dim : {64, 128, 256})
    for (int run : {1, 2, 4, 8}) {  // groups per block part: 16-token blocks .. one 64-token part
      INFO("head_dim " << head_dim << ", run " << run);
      std::vector<int> smem(head_dim * kTileTokens, -1);
      std::set<int> units;
      for (int t = 0; t < kTileTokens; ++t)
        for (int d = 0; d < head_dim; ++d) {
          const int unit = nv_value_unit(head_dim, run, t / 8, d);
          units.insert(unit);
          smem[8 * unit + t % 8] = t * 1000 + d;
        }
      CHECK(int(units.size()) == head_dim * kTileTokens / 8);  // the swizzle is a permutation
      CHECK(*units.rbegin() == head_dim * kTileTokens / 8 - 1);
      for (int tok0 :
           {0, 32})  // a warp's first token, then its PV k-steps as the kernel walks them
        for (int u = 0; u < 2; ++u)
          for (int pair = 0; pair < head_dim / 16; ++pair) {
            auto regs = ldmatrix_x4<2>(smem, [&](int lane) {
              return nv_value_unit(head_dim, run, tok0 / 8 + nv_pv_ldm_group(u, lane),
                                   nv_pv_ldm_dim(pair, lane));
            });
            // B[k][n] = V[token tok0 + 16 u + k][dim 8 (2 pair + tile) + n].
            for (int lane = 0; lane < 32; ++lane)
              for (int tile = 0; tile < 2; ++tile)
                for (int e = 0; e < 4; ++e) {
                  const int token = tok0 + 16 * u + nv_b_row(lane, e);
                  const int dim = 8 * (2 * pair + tile) + nv_b_col(lane, e);
                  CHECK(regs[lane][2 * tile + e / 2][e % 2] == token * 1000 + dim);
                }
          }
    }
}

TEST_CASE("NVIDIA staged path: ldmatrix rows of one matrix never share a bank group") {
  // A matrix's 8 rows (16 bytes each) are conflict-free when they fall in 8 distinct 16-byte
  // bank groups of a 128-byte line (unit index mod 8).
  for (int head_dim : {64, 128, 256})
    for (int lane_group = 0; lane_group < 4; ++lane_group) {
      for (int s = 0; s < head_dim / 16; ++s) {
        std::set<int> keys;
        for (int r = 0; r < 8; ++r) {
          const int lane = 8 * lane_group + r;
          keys.insert(nv_key_unit(64, nv_score_ldm_chunk(s, lane), 16 + nv_score_ldm_token(lane)) %
                      8);
        }
        CHECK(keys.size() == 8);
        for (int run : {1, 2, 4, 8}) {
          INFO("run " << run);
          for (int u = 0; u < 4; ++u) {  // the k-steps of a 64-token tile
            std::set<int> values;
            for (int r = 0; r < 8; ++r) {
              const int lane = 8 * lane_group + r;
              values.insert(
                  nv_value_unit(head_dim, run, nv_pv_ldm_group(u, lane), nv_pv_ldm_dim(s, lane)) %
                  8);
            }
            CHECK(values.size() == 8);
          }
        }
      }
    }
}

TEST_CASE("NVIDIA staged path: a value copy instruction fills whole 128-byte rows") {
  // The copier's lanes take one block's value bytes in order: lane l of block part p copies dim
  // l / V, group p V + l % V (V raw units per dim of a part), then 2 kTV dims further per copy.
  // Each run of 8 lanes must land in one 128-byte row of shared memory, two lanes of one 32-byte
  // cache sector in one 32-byte slot: then the L1 asks the L2 for whole sectors (KERNEL_NOTES,
  // runs 16 and 17).
  constexpr int kHeadDim = 128;
  // (V, tokens per unit): 16-bit caches (kTV 8) and fp8 (kTV 16); 16- and 64-token blocks.
  for (auto [run, tv] : {std::pair{2, 8}, {4, 8}, {8, 8}, {1, 16}, {2, 16}, {4, 16}})
    for (int part = 0; part < 4; ++part) {
      INFO("run " << run << ", tokens per unit " << tv << ", part " << part);
      const int lanes = 2 * tv * run;  // a block part's threads: 2 kTV dims per copy
      std::set<int> seen;
      for (int copy = 0; copy < kHeadDim / (2 * tv); ++copy)
        for (int lane = 0; lane < lanes; lane += 8) {
          std::set<int> rows;
          for (int l = lane; l < lane + 8; ++l) {
            const int dim = l / run + 2 * tv * copy, group = part * run + l % run;
            const int unit = nv_value_unit(kHeadDim, run, group, dim);
            // The copier adds the step to the first copy's unit instead of recomputing it.
            CHECK(unit == nv_value_unit(kHeadDim, run, group, l / run) + 2 * tv * run * copy);
            rows.insert(unit / 8);
            if (l % run % 2 == 1)
              CHECK(unit / 2 == nv_value_unit(kHeadDim, run, group - 1, dim) / 2);
            seen.insert(unit);
          }
          CHECK(rows.size() == 1);
        }
      // A part's units: all of its run block, each once.
      CHECK(int(seen.size()) == kHeadDim * run);
      CHECK(*seen.begin() == part * kHeadDim * run);
    }
}

TEST_CASE("NVIDIA staged path, fp8: the widened registers are the B fragments in the fp8 order") {
  std::set<int> order;
  for (int k = 0; k < 16; ++k) order.insert(nv_fp8_order(k));
  CHECK(order.size() == 16);
  CHECK(*order.rbegin() == 15);
  for (int lane = 0; lane < 32; ++lane)
    for (int r = 0; r < 4; ++r)  // a query register is two consecutive dims: one 32-bit load
      CHECK(nv_fp8_order(nv_a_col(lane, 2 * r)) + 1 == nv_fp8_order(nv_a_col(lane, 2 * r + 1)));
  // B element e of a lane is byte e of its register: cvt widens bytes 0, 1 to b0b1, 2, 3 to b2b3.
  for (int tile_tokens : {16, 32, 64})
    for (int head_dim : {64, 128, 256}) {
      INFO("tile tokens " << tile_tokens << ", head_dim " << head_dim);
      // Keys: byte (token t, dim d) holds t * 1000 + d, where the copies put it.
      std::vector<int> keys(head_dim * tile_tokens, -1);
      std::set<int> key_units;
      for (int t = 0; t < tile_tokens; ++t)
        for (int d = 0; d < head_dim; ++d) {
          const int unit = nv_fp8_key_unit(tile_tokens, d / 16, t);
          key_units.insert(unit);
          keys.at(16 * unit + d % 16) = t * 1000 + d;
          // The copier steps 2 chunks at a time from its first unit.
          CHECK(nv_fp8_key_unit(tile_tokens, d / 16 + 2, t) == unit + 2 * tile_tokens);
        }
      CHECK(int(key_units.size()) == head_dim * tile_tokens / 16);
      const int tiles = std::min(4, tile_tokens / 8), steps = 4 / tiles;
      for (int tile0 = 0; tile0 < tile_tokens / 8; tile0 += tiles)
        for (int step0 = 0; step0 < head_dim / 16; step0 += steps) {
          const auto unit_of_lane = [&](int lane) {
            return nv_fp8_key_unit(
                tile_tokens, step0 + nv_fp8_score_ldm_chunk(tiles, lane),
                nv_fp8_score_token(tile0 + nv_fp8_score_ldm_tile(tiles, lane), lane % 8));
          };
          auto regs = ldmatrix_x4<4>(keys, unit_of_lane);
          for (int lane = 0; lane < 32; ++lane) {
            // The kernel adds step0 T + 8 tile0 units to the first load's address.
            CHECK(
                unit_of_lane(lane) ==
                nv_fp8_key_unit(tile_tokens, nv_fp8_score_ldm_chunk(tiles, lane),
                                nv_fp8_score_token(nv_fp8_score_ldm_tile(tiles, lane), lane % 8)) +
                    step0 * tile_tokens + 8 * tile0);
            for (int m = 0; m < 4; ++m)
              for (int e = 0; e < 4; ++e) {
                const int tile = tile0 + m % tiles, step = step0 + m / tiles;
                const int token = nv_fp8_score_token(tile, nv_b_col(lane, e));
                const int dim = 16 * step + nv_fp8_order(nv_b_row(lane, e));
                CHECK(regs[lane][m][e] == token * 1000 + dim);
              }
          }
          // No two rows of a matrix in one 16-byte bank group.
          for (int m = 0; m < 4; ++m) {
            std::set<int> banks;
            for (int r = 0; r < 8; ++r) banks.insert(unit_of_lane(8 * m + r) % 8);
            CHECK(banks.size() == 8);
          }
        }
      // Values: raw units of 16 tokens of one dim, as the 16-bit path's layout places them.
      for (int run : {1, 2, 4}) {  // 16-token blocks, 32- and 64-token block parts
        if (16 * run > tile_tokens) continue;
        INFO("run " << run);
        std::vector<int> values(head_dim * tile_tokens, -1);
        for (int t = 0; t < tile_tokens; ++t)
          for (int d = 0; d < head_dim; ++d)
            values.at(16 * nv_value_unit(head_dim, run, t / 16, d) + t % 16) = t * 1000 + d;
        for (int u = 0; u < tile_tokens / 16; ++u)
          for (int quad = 0; quad < head_dim / 32; ++quad) {
            const auto unit_of_lane = [&](int lane) {
              return nv_value_unit(head_dim, run, u, nv_fp8_pv_ldm_dim(quad, lane));
            };
            auto regs = ldmatrix_x4<4>(values, unit_of_lane);
            for (int lane = 0; lane < 32; ++lane) {
              // The kernel adds 32 run quad units to the first quad's address.
              CHECK(unit_of_lane(lane) ==
                    nv_value_unit(head_dim, run, u, nv_fp8_pv_ldm_dim(0, lane)) + 32 * run * quad);
              for (int m = 0; m < 4; ++m)
                for (int e = 0; e < 4; ++e) {
                  const int token = 16 * u + nv_fp8_order(nv_b_row(lane, e));
                  const int dim = 8 * (4 * quad + m) + nv_b_col(lane, e);
                  CHECK(regs[lane][m][e] == token * 1000 + dim);
                }
            }
            for (int m = 0; m < 4; ++m) {
              std::set<int> banks;
              for (int r = 0; r < 8; ++r) banks.insert(unit_of_lane(8 * m + r) % 8);
              CHECK(banks.size() == 8);
            }
          }
      }
    }
}

TEST_CASE("NVIDIA staged path, fp8: score tiles are the PV step's probabilities in the same lane") {
  // PV step u's A element e comes from score tile 2u + e / 4, C element e % 4, of the same lane
  // (pa_staged_nv.h packs them so): same row, and the token its value row k = A column holds.
  std::set<int> tokens;
  for (int tile = 0; tile < 2; ++tile)
    for (int col = 0; col < 8; ++col) tokens.insert(nv_fp8_score_token(tile, col));
  CHECK(tokens.size() == 16);
  CHECK(*tokens.rbegin() == 15);
  for (int u = 0; u < 4; ++u)
    for (int lane = 0; lane < 32; ++lane)
      for (int e = 0; e < 8; ++e) {
        CHECK(nv_c_row(lane, e % 4) == nv_a_row(lane, e));
        CHECK(nv_fp8_score_token(2 * u + e / 4, nv_c_col(lane, e % 4)) ==
              16 * u + nv_fp8_order(nv_a_col(lane, e)));
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
