// The NVIDIA matrix path: mma.sync.aligned.m16n8k16 (bf16 or f16 in, f32 accumulate) for both
// Q x K^T and P x V, operands straight from registers loaded with 16-byte loads of the paged
// cache (pa_mma_layout.h explains the orders). One warp owns a 16-row tile of the query tile and
// a group of 4 * tv tokens at a time (32 for 16-bit caches, 64 for fp8); fp8 is widened to bf16.
#pragma once

#include "pa_decode/pa_mma_layout.h"
#include "pa_decode/pa_work.h"

namespace pa {

struct MmaNvPath {
  static constexpr int kTV = 16 / kKvBytes;              // tokens per value chunk
  static constexpr int kGroupTokens = 4 * kTV;
  static constexpr int kScoreTiles = kGroupTokens / 8;
  static constexpr int kKSteps = kHeadDim / 16;
  static constexpr int kStepsPerChunk = kX / 4;
  static constexpr int kChunksPerToken = kHeadDim / (4 * kX);
  static constexpr int kDimTiles = kHeadDim / 8;
  static constexpr int kPvSteps = kTV / 4;
  static constexpr int kNumO = kDimTiles * 4;
  static constexpr int kNumRowSlots = 2;
  static constexpr bool kF16 = kIoIsFp16;                // else bf16 operands

  struct Shared {};

  uint32_t qa[kKSteps][4];
  float o[kNumO];
  float m[2];
  float l[2];
  int row0;

  static constexpr int row_slot_of(int i) { return (i % 4) / 2; }

  __device__ GPU_INLINE static void mma(float* c, const uint32_t* a, uint32_t b0, uint32_t b1) {
    if constexpr (kF16) {
      asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                   : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
      asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                   : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
  }

  // Two operand elements packed as the mma's 16-bit pair (low half first).
  __device__ GPU_INLINE static uint32_t pack(float lo, float hi) {
    if constexpr (kF16) {
      return uint32_t(gpu::float_to_fp16(lo)) | (uint32_t(gpu::float_to_fp16(hi)) << 16);
    } else {
      return uint32_t(gpu::float_to_bf16(lo)) | (uint32_t(gpu::float_to_bf16(hi)) << 16);
    }
  }

  // Elements {2p, 2p+1} of a 16-byte cache chunk as an operand pair: the stored word for 16-bit
  // caches; fp8 widened to bf16, exactly (e4m3 values are bf16 values, so truncation is exact).
  __device__ GPU_INLINE static uint32_t chunk_pair(gpu::u32x4 v, int p) {
    if constexpr (!kKvIsFp8) {
      return v[p];
    } else {
      uint32_t lo = __builtin_bit_cast(uint32_t, kv_to_float(gpu::byte_of(v, 2 * p)));
      uint32_t hi = __builtin_bit_cast(uint32_t, kv_to_float(gpu::byte_of(v, 2 * p + 1)));
      return (lo >> 16) | (hi & 0xffff0000u);
    }
  }

  __device__ GPU_INLINE void init(const Args& a, const Work& w, int row_tile, Shared&) {
    const int lane = int(gpu::lane_id());
    row0 = row_tile * 16;
    for (int i = 0; i < kNumO; ++i) o[i] = 0.0f;
    for (int r = 0; r < 2; ++r) { m[r] = -__builtin_inff(); l[r] = 0.0f; }
    // a{2i, 2i+1} are adjacent dims of one row: one 4-byte load each.
#pragma unroll
    for (int s = 0; s < kKSteps; ++s) {
#pragma unroll
      for (int r = 0; r < 4; ++r) {
        int row = row0 + layout::nv_a_row(lane, 2 * r);
        int dim = layout::nv_score_dim(kX, s, layout::nv_a_col(lane, 2 * r));
        uint32_t v = 0;
        if (row < kRows) {
          int64_t q_row = (int64_t(w.seq) * kQueryLen + row / kGroup) * kNumQHeads + w.kv_head * kGroup + row % kGroup;
          v = *reinterpret_cast<const uint32_t*>(a.query + q_row * kHeadDim + dim);
        }
        qa[s][r] = v;
      }
    }
  }

  __device__ GPU_INLINE void process_group(const Args& a, const Work& w, int g0, Shared&, int) {
    const int lane = int(gpu::lane_id());
    const int quad = lane % 4;

    // Scores: tile tau holds 8 tokens; this lane loads the key chunks of token (tau, lane / 4).
    float sc[kScoreTiles][4];
#pragma unroll
    for (int tau = 0; tau < kScoreTiles; ++tau) {
      const int token = g0 + layout::nv_group_token(kTV, tau, lane / 4);
      gpu::u32x4 kc[kChunksPerToken];
#pragma unroll
      for (int j = 0; j < kChunksPerToken; ++j)
        kc[j] = token < w.end ? gpu::load16(key_chunk(a, w, token, 4 * j + quad)) : gpu::u32x4{0, 0, 0, 0};
#pragma unroll
      for (int e = 0; e < 4; ++e) sc[tau][e] = 0.0f;
#pragma unroll
      for (int s = 0; s < kKSteps; ++s) {
        const gpu::u32x4 c = kc[s / kStepsPerChunk];
        const int p = 2 * (s % kStepsPerChunk);
        mma(sc[tau], qa[s], chunk_pair(c, p), chunk_pair(c, p + 1));
      }
    }

    // Online softmax over the two rows (lane / 4 and lane / 4 + 8) this lane holds.
    float p_val[kScoreTiles][4];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int qi = (row0 + lane / 4 + 8 * h) / kGroup;
      const int limit = visible_limit(w, qi);
      float mx = -__builtin_inff();
#pragma unroll
      for (int tau = 0; tau < kScoreTiles; ++tau)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int token = g0 + layout::nv_group_token(kTV, tau, layout::nv_c_col(lane, e));
          float ks = kKvIsFp8 && token < w.end ? token_scale(a, w, a.k_scale, token) : 1.0f;
          float x = token < w.end && token <= limit ? sc[tau][2 * h + e] * a.scale_log2 * ks : -__builtin_inff();
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
          if constexpr (kKvIsFp8) {
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
      pa[u][0] = pack(p_val[2 * u][0], p_val[2 * u][1]);
      pa[u][1] = pack(p_val[2 * u][2], p_val[2 * u][3]);
      pa[u][2] = pack(p_val[2 * u + 1][0], p_val[2 * u + 1][1]);
      pa[u][3] = pack(p_val[2 * u + 1][2], p_val[2 * u + 1][3]);
    }

    // P x V: this lane's value chunk is tokens [tv * quad, tv * quad + tv) of dim 8 nd + lane / 4.
    const int tok0 = g0 + kTV * quad;
#pragma unroll
    for (int nd = 0; nd < kDimTiles; ++nd) {
      gpu::u32x4 v = gpu::u32x4{0, 0, 0, 0};
      if (tok0 < w.end) {
        v = load_value_chunk(a, w, tok0, 8 * nd + lane / 4);
      }
#pragma unroll
      for (int u = 0; u < kPvSteps; ++u) mma(&o[nd * 4], pa[u], chunk_pair(v, 2 * u), chunk_pair(v, 2 * u + 1));
    }
  }

  template <class F>
  __device__ GPU_INLINE void for_each_output(F f) const {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int nd = 0; nd < kDimTiles; ++nd)
#pragma unroll
      for (int e = 0; e < 4; ++e) f(nd * 4 + e, layout::nv_c_row(lane, e), 8 * nd + layout::nv_c_col(lane, e));
  }
};

}  // namespace pa
