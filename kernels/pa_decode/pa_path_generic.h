// The generic path: no matrix instructions, so it compiles for every target (and can be forced
// with PA_FORCE_GENERIC=1). One warp handles one 16-row tile of the query tile over groups of
// warp-size tokens: each lane scores one token against every row (its key chunks are 16-byte
// loads, consecutive lanes on consecutive tokens), then owns D / warp_size output dims and
// accumulates probabilities x values for them from 16-byte value chunks.
#pragma once

#include "pa_decode/pa_work.h"

namespace pa {

struct GenericPath {
  static constexpr int kWS = gpu::kWarpSize;
  static constexpr int kTileRows = kRows < 16 ? kRows : 16;
  static constexpr int kDimsPerLane = kHeadDim / kWS;
  static constexpr int kGroupTokens = kWS;
  static constexpr int kVec = 16 / kKvBytes;  // tokens per 16-byte value chunk
  static constexpr int kNumO = kTileRows * kDimsPerLane;
  static constexpr int kNumRowSlots = kTileRows;
  static constexpr int kKeyUnroll = kX == 8 ? 2 : 1;
  static_assert(kHeadDim % kWS == 0, "head dim must be a multiple of the warp size");

  // Shared memory: the whole query tile as float, then one probability tile per warp.
  struct Shared {
    float q[kRowTiles * 16][kHeadDim];
    float p[kWarps][kTileRows][kWS];
  };

  float o[kNumO];
  float m[kTileRows];
  float l[kTileRows];
  int row0;  // first row of this warp's tile

  static constexpr int row_slot_of(int i) { return i / kDimsPerLane; }

  // Every thread of the CTA calls this (it fills shared memory cooperatively); a barrier follows.
  __device__ GPU_INLINE void init(const Args& a, const Work& w, int row_tile, Shared& sh) {
    row0 = row_tile * 16;
    for (int i = 0; i < kNumO; ++i) o[i] = 0.0f;
    for (int r = 0; r < kTileRows; ++r) {
      m[r] = -__builtin_inff();
      l[r] = 0.0f;
    }
    for (int idx = int(gpu::thread_x()); idx < kRowTiles * 16 * kHeadDim; idx += kThreads) {
      int row = idx / kHeadDim, dim = idx % kHeadDim;
      float v = 0.0f;
      if (row < kRows) {
        v = io_to_float(a.query[query_row(w, row) * kHeadDim + dim]);
      }
      sh.q[row][dim] = v;
    }
  }

  // Tokens [g0, g0 + kGroupTokens) of the partition (next_g0, the warp's next group, is unused
  // here).
  __device__ GPU_INLINE void process_group(const Args& a, const Work& w, int g0, int, Shared& sh,
                                           int warp) {
    const int lane = int(gpu::lane_id());
    const int t = g0 + lane;
    float s[kTileRows];
#pragma unroll
    for (int r = 0; r < kTileRows; ++r) s[r] = 0.0f;
    float ks = 1.0f, vs = 1.0f;
    if (t < w.end) {
      ks = token_scale(a, w, a.k_scale, t);
      vs = token_scale(a, w, a.v_scale, t);
      // 16 key elements of a chunk x 16 rows of the query tile per step: unrolling further makes
      // the AMD scheduler hoist every query load from LDS and spill.
#pragma unroll kKeyUnroll
      for (int c = 0; c < kHeadDim / kX; ++c) {
        gpu::u32x4 k = gpu::load16(key_chunk(a, w, t, c));
#pragma unroll
        for (int e = 0; e < kX; ++e) {
          float kf = kv_to_float(kKvIsFp8 ? gpu::byte_of(k, e) : gpu::half_of(k, e));
#pragma unroll
          for (int r = 0; r < kTileRows; ++r) s[r] += sh.q[row0 + r][c * kX + e] * kf;
        }
      }
    }
#pragma unroll
    for (int r = 0; r < kTileRows; ++r) {
      bool visible = t < w.end && t <= visible_limit(w, (row0 + r) / kGroup);
      float x = visible ? s[r] * a.scale_log2 * ks : -__builtin_inff();
      float m_new = __builtin_fmaxf(m[r], gpu::warp_max(x));
      float alpha = m_new == -__builtin_inff() ? 1.0f : gpu::exp2(m[r] - m_new);
      float p = m_new == -__builtin_inff() ? 0.0f : gpu::exp2(x - m_new);
      l[r] = l[r] * alpha + gpu::warp_sum(p);
      m[r] = m_new;
#pragma unroll
      for (int j = 0; j < kDimsPerLane; ++j) o[r * kDimsPerLane + j] *= alpha;
      sh.p[warp][r][lane] = p * vs;
    }
    gpu::sync_warp();
#pragma unroll
    for (int j = 0; j < kDimsPerLane; ++j) {
      const int dim = lane + kWS * j;
      for (int k = 0; k < kWS / kVec; ++k) {
        const int tok0 = g0 + k * kVec;
        if (tok0 >= w.end) break;
        gpu::u32x4 v = gpu::load16(value_chunk(a, w, tok0, dim));
        // Unrolled by 8 at most: all of a 16-token fp8 chunk at once keeps 256 probabilities live.
#pragma unroll 8
        for (int e = 0; e < kVec; ++e) {
          // Slots past the context may hold anything (NaN too); p is 0 there, v must be finite.
          float vf = tok0 + e < w.context_len
                         ? kv_to_float(kKvIsFp8 ? gpu::byte_of(v, e) : gpu::half_of(v, e))
                         : 0.0f;
#pragma unroll
          for (int r = 0; r < kTileRows; ++r)
            o[r * kDimsPerLane + j] += sh.p[warp][r][k * kVec + e] * vf;
        }
      }
    }
    gpu::sync_warp();
  }

  // Calls f(i, row, dim) for every output element o[i] this lane holds (row within the tile).
  template <class F>
  __device__ GPU_INLINE void for_each_output(F f) const {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int r = 0; r < kTileRows; ++r)
#pragma unroll
      for (int j = 0; j < kDimsPerLane; ++j) f(r * kDimsPerLane + j, r, lane + kWS * j);
  }
};

}  // namespace pa
