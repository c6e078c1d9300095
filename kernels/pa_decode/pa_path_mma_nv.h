// The NVIDIA matrix path: mma.sync.aligned.m16n8k16 (bf16 or f16 in, f32 accumulate) for both
// Q x K^T and P x V, operands straight from registers loaded with 16-byte loads of the paged
// cache (pa_mma_layout.h explains the orders). One warp owns a 16-row tile of the query tile and
// a group of 4 * tv tokens at a time (32 for 16-bit caches, 64 for fp8); fp8 is widened to bf16.
#pragma once

#include "pa_decode/pa_mma_layout.h"
#include "pa_decode/pa_work.h"

namespace pa {

struct MmaNvPath {
  static constexpr int kTV = 16 / kKvBytes;  // tokens per value chunk
  static constexpr int kGroupTokens = 4 * kTV;
  static constexpr int kScoreTiles = kGroupTokens / 8;
  static constexpr int kKSteps = kHeadDim / 16;
  static constexpr int kStepsPerChunk = kX / 4;
  static constexpr int kChunksPerToken = kHeadDim / (4 * kX);
  static constexpr int kDimTiles = kHeadDim / 8;
  static constexpr int kPvSteps = kTV / 4;
  static constexpr int kNumO = kDimTiles * 4;
  static constexpr int kNumRowSlots = 2;
  // fp8 is widened with the hardware's e4m3x2 -> f16x2 conversion (OCP e4m3, exact), so fp8
  // variants run the f16 mma; their bf16 query is rounded to f16 once, exactly for |q| in
  // [2^-14, 65504].
  static constexpr bool kF16 = kIoIsFp16 || kKvIsFp8;

  // The query fragments live in shared memory, one 32-bit word per lane per register (no bank
  // conflicts), to leave registers for a whole group's key and value chunks in flight.
  struct Shared {
    uint32_t q[kRowTiles][kKSteps][4][32];
  };

  float o[kNumO];
  float m[2];
  float l[2];
  int row0;
  int row_tile;
  // Physical blocks of this lane's key tokens and value chunk for the next group, loaded one
  // group ahead so the cache loads never wait on the block table.
  int key_block[kScoreTiles];
  int value_block;
  int fetched_g0;

  static constexpr int row_slot_of(int i) { return (i % 4) / 2; }

  __device__ GPU_INLINE static void mma(float* c, const uint32_t* a, uint32_t b0, uint32_t b1) {
    if constexpr (kF16) {
      asm volatile(
          "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
          "{%8,%9}, {%0,%1,%2,%3};"
          : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
          : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
      asm volatile(
          "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
          "{%8,%9}, {%0,%1,%2,%3};"
          : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
          : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
  }

  // Elements {2p, 2p+1} of a 16-byte cache chunk as an operand pair.
  __device__ GPU_INLINE static uint32_t chunk_pair(gpu::u32x4 v, int p) {
    if constexpr (!kKvIsFp8) {
      return v[p];
    } else {
      const uint16_t two = uint16_t(v[p / 2] >> (16 * (p % 2)));
      uint32_t h2;
      asm("cvt.rn.f16x2.e4m3x2 %0, %1;" : "=r"(h2) : "h"(two));
      return h2;
    }
  }

  __device__ GPU_INLINE void init(const Args& a, const Work& w, int tile, Shared& sh) {
    const int lane = int(gpu::lane_id());
    row_tile = tile;
    row0 = tile * 16;
    fetched_g0 = -1;
    for (int i = 0; i < kNumO; ++i) o[i] = 0.0f;
    for (int r = 0; r < 2; ++r) {
      m[r] = -__builtin_inff();
      l[r] = 0.0f;
    }
    // a{2r, 2r+1} are adjacent dims of one row: one 4-byte load each.
#pragma unroll
    for (int s = 0; s < kKSteps; ++s) {
#pragma unroll
      for (int r = 0; r < 4; ++r) {
        int row = row0 + layout::nv_a_row(lane, 2 * r);
        int dim = layout::nv_score_dim(kX, s, layout::nv_a_col(lane, 2 * r));
        uint32_t v = 0;
        if (row < kRows) {
          int64_t q_row = (int64_t(w.seq) * kQueryLen + row / kGroup) * kNumQHeads +
                          w.kv_head * kGroup + row % kGroup;
          v = *reinterpret_cast<const uint32_t*>(a.query + q_row * kHeadDim + dim);
          if constexpr (kKvIsFp8)
            v = gpu::pack_half2<kF16>(gpu::bf16_to_float(uint16_t(v)),
                                      gpu::bf16_to_float(uint16_t(v >> 16)));
        }
        sh.q[row_tile][s][r][lane] = v;
      }
    }
  }

  __device__ GPU_INLINE void fetch_blocks(const Work& w, int g0) {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int tau = 0; tau < kScoreTiles; ++tau) {
      const int token = g0 + layout::nv_group_token(kTV, tau, lane / 4);
      key_block[tau] = token < w.end ? w.block_table[token / kBlockSize] : 0;
    }
    const int tok0 = g0 + kTV * (lane % 4);
    value_block = tok0 < w.end ? w.block_table[tok0 / kBlockSize] : 0;
    fetched_g0 = g0;
  }

  __device__ GPU_INLINE void process_group(const Args& a, const Work& w, int g0, int next_g0,
                                           Shared& sh, int) {
    const int lane = int(gpu::lane_id());
    const int quad = lane % 4;
    if (fetched_g0 != g0) fetch_blocks(w, g0);

    // Every load of the group first: key chunks of token (tau, lane / 4), then the value chunks
    // (tokens [tv * quad, tv * quad + tv) of dim 8 nd + lane / 4). The addresses are key_chunk /
    // value_chunk (pa_work.h) with the block-invariant part hoisted by hand: written through
    // those helpers, clang re-multiplies per chunk and ptxas needs ~50 more registers (201 -> 254
    // for kv-bf16.bs16.q1.h64x8).
    gpu::u32x4 kc[kScoreTiles][kChunksPerToken];
#pragma unroll
    for (int tau = 0; tau < kScoreTiles; ++tau) {
      const int token = g0 + layout::nv_group_token(kTV, tau, lane / 4);
      const int64_t base =
          ((int64_t(key_block[tau]) * kNumKvHeads + w.kv_head) * (kHeadDim / kX)) * kBlockSize +
          token % kBlockSize;
#pragma unroll
      for (int j = 0; j < kChunksPerToken; ++j)
        kc[tau][j] =
            token < w.end
                ? gpu::load16(a.key_cache + (base + int64_t(4 * j + quad) * kBlockSize) * 16)
                : gpu::u32x4{0, 0, 0, 0};
    }
    const int tok0 = g0 + kTV * quad;
    gpu::u32x4 vc[kDimTiles];
    {
      const int64_t base =
          ((int64_t(value_block) * kNumKvHeads + w.kv_head) * kHeadDim + lane / 4) * kBlockSize +
          tok0 % kBlockSize;
#pragma unroll
      for (int nd = 0; nd < kDimTiles; ++nd)
        vc[nd] = tok0 < w.end
                     ? gpu::load16(a.value_cache + (base + int64_t(8 * nd) * kBlockSize) * kKvBytes)
                     : gpu::u32x4{0, 0, 0, 0};
    }
    if (next_g0 < w.end) fetch_blocks(w, next_g0);

    // Scores.
    float sc[kScoreTiles][4];
#pragma unroll
    for (int tau = 0; tau < kScoreTiles; ++tau)
#pragma unroll
      for (int e = 0; e < 4; ++e) sc[tau][e] = 0.0f;
#pragma unroll
    for (int s = 0; s < kKSteps; ++s) {
      const uint32_t qa[4] = {sh.q[row_tile][s][0][lane], sh.q[row_tile][s][1][lane],
                              sh.q[row_tile][s][2][lane], sh.q[row_tile][s][3][lane]};
      const int p = 2 * (s % kStepsPerChunk);
#pragma unroll
      for (int tau = 0; tau < kScoreTiles; ++tau) {
        const gpu::u32x4 c = kc[tau][s / kStepsPerChunk];
        mma(sc[tau], qa, chunk_pair(c, p), chunk_pair(c, p + 1));
      }
    }

    // Online softmax over the two rows (lane / 4 and lane / 4 + 8) this lane holds.
    float p_val[kScoreTiles][4];
    const bool per_token = per_token_scales(a);
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int limit = visible_limit(w, (row0 + lane / 4 + 8 * h) / kGroup);
      float mx = -__builtin_inff();
#pragma unroll
      for (int tau = 0; tau < kScoreTiles; ++tau)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int token = g0 + layout::nv_group_token(kTV, tau, layout::nv_c_col(lane, e));
          const float ks = per_token && token < w.end ? token_scale(a, w, a.k_scale, token) : 1.0f;
          const float x = token < w.end && token <= limit ? sc[tau][2 * h + e] * a.scale_log2 * ks
                                                          : -__builtin_inff();
          p_val[tau][2 * h + e] = x;
          mx = __builtin_fmaxf(mx, x);
        }
      mx = gpu::warp_max<4>(mx);
      const float m_new = __builtin_fmaxf(m[h], mx);
      const float alpha = m_new == -__builtin_inff() ? 1.0f : gpu::exp2(m[h] - m_new);
      float sum = 0.0f;
#pragma unroll
      for (int tau = 0; tau < kScoreTiles; ++tau)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          float p = m_new == -__builtin_inff() ? 0.0f : gpu::exp2(p_val[tau][2 * h + e] - m_new);
          sum += p;
          if (per_token) {
            const int token = g0 + layout::nv_group_token(kTV, tau, layout::nv_c_col(lane, e));
            if (token < w.end) p *= token_scale(a, w, a.v_scale, token);
          }
          p_val[tau][2 * h + e] = p;
        }
      l[h] = l[h] * alpha + gpu::warp_sum<4>(sum);
      m[h] = m_new;
#pragma unroll
      for (int nd = 0; nd < kDimTiles; ++nd) {
        o[nd * 4 + 2 * h] *= alpha;
        o[nd * 4 + 2 * h + 1] *= alpha;
      }
    }

    // Probabilities as A fragments: score tiles 2u, 2u+1 make PV k-step u.
    uint32_t pa[kPvSteps][4];
#pragma unroll
    for (int u = 0; u < kPvSteps; ++u) {
      pa[u][0] = gpu::pack_half2<kF16>(p_val[2 * u][0], p_val[2 * u][1]);
      pa[u][1] = gpu::pack_half2<kF16>(p_val[2 * u][2], p_val[2 * u][3]);
      pa[u][2] = gpu::pack_half2<kF16>(p_val[2 * u + 1][0], p_val[2 * u + 1][1]);
      pa[u][3] = gpu::pack_half2<kF16>(p_val[2 * u + 1][2], p_val[2 * u + 1][3]);
    }

    // P x V.
#pragma unroll
    for (int nd = 0; nd < kDimTiles; ++nd) {
      const gpu::u32x4 v = mask_value_chunk(vc[nd], tok0, w.context_len);
#pragma unroll
      for (int u = 0; u < kPvSteps; ++u)
        mma(&o[nd * 4], pa[u], chunk_pair(v, 2 * u), chunk_pair(v, 2 * u + 1));
    }
  }

  template <class F>
  __device__ GPU_INLINE void for_each_output(F f) const {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int nd = 0; nd < kDimTiles; ++nd)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        f(nd * 4 + e, layout::nv_c_row(lane, e), 8 * nd + layout::nv_c_col(lane, e));
  }
};

}  // namespace pa
