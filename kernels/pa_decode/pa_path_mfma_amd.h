// The AMD matrix path: MFMA 16x16x16 (gfx90a, gfx942) or 16x16x32 (gfx950) with bf16 or f16
// operands and f32 accumulation, for S^T = K Q^T and O^T = V^T P^T (pa_mma_layout.h: the
// transposed form lets the score tile feed the PV step from the same lanes). One wave owns a
// 16-row tile of the query tile (its lane % 16) and a group of 4 * tv tokens at a time; every
// operand comes from 16-byte loads of the paged cache; fp8 is widened to bf16.
// No AMD GPU exists here: this path is compiled and its layouts tested on the host only.
#pragma once

#include "pa_decode/pa_mma_layout.h"
#include "pa_decode/pa_work.h"

namespace pa {

struct MfmaAmdPath {
#if defined(__gfx950__)
  static constexpr int kK = 32;
#else
  static constexpr int kK = 16;
#endif
  static constexpr int kKL = kK / 4;         // operand elements per lane
  static constexpr int kWords = kKL / 2;     // 32-bit words per operand
  static constexpr int kTV = 16 / kKvBytes;  // tokens per value chunk
  static constexpr int kGroupTokens = 4 * kTV;
  static constexpr int kScoreTiles = kTV / 4;  // 16-token score tiles per group
  static constexpr int kKSteps = kHeadDim / kK;
  static constexpr int kStepsPerChunk = kX / kKL;
  static constexpr int kChunksPerToken = kHeadDim / (4 * kX);
  static constexpr int kDimTiles = kHeadDim / 16;
  static constexpr int kPvSteps = kTV / kKL;
  static constexpr int kNumO = kDimTiles * 4;
  static constexpr int kNumRowSlots = 1;
  static constexpr bool kF16 = kIoIsFp16;

  typedef float f32x4 __attribute__((ext_vector_type(4)));
  typedef uint32_t u32x2 __attribute__((ext_vector_type(2)));
  typedef short i16x4 __attribute__((ext_vector_type(4)));
  typedef _Float16 f16x4 __attribute__((ext_vector_type(4)));
  typedef _Float16 f16x8 __attribute__((ext_vector_type(8)));
  typedef __bf16 bf16x8 __attribute__((ext_vector_type(8)));

  struct Operand {
    uint32_t w[kWords];
  };

  struct Shared {};

  Operand qb[kKSteps];
  float o[kNumO];
  float m[1];
  float l[1];
  int row0;

  static constexpr int row_slot_of(int) { return 0; }

  // The K=32 builtins are chosen by the preprocessor, not by `if constexpr (kK == 32)`: clang-19
  // (LLVM < 20) does not declare them at all, and an undeclared name is an error even in a
  // discarded branch, so the gfx942 build with clang-19 would fail on gfx950's code.
  __device__ GPU_INLINE static f32x4 mfma(const Operand& a, const Operand& b, f32x4 c) {
#if defined(__gfx950__)
    static_assert(kK == 32);
    const gpu::u32x4 av{a.w[0], a.w[1], a.w[2], a.w[3]}, bv{b.w[0], b.w[1], b.w[2], b.w[3]};
    if constexpr (kF16) {
      return __builtin_amdgcn_mfma_f32_16x16x32_f16(__builtin_bit_cast(f16x8, av),
                                                    __builtin_bit_cast(f16x8, bv), c, 0, 0, 0);
    } else {
      return __builtin_amdgcn_mfma_f32_16x16x32_bf16(__builtin_bit_cast(bf16x8, av),
                                                     __builtin_bit_cast(bf16x8, bv), c, 0, 0, 0);
    }
#else
    static_assert(kK == 16);
    const u32x2 av{a.w[0], a.w[1]}, bv{b.w[0], b.w[1]};
    if constexpr (kF16) {
      return __builtin_amdgcn_mfma_f32_16x16x16f16(__builtin_bit_cast(f16x4, av),
                                                   __builtin_bit_cast(f16x4, bv), c, 0, 0, 0);
    } else {
      return __builtin_amdgcn_mfma_f32_16x16x16bf16_1k(__builtin_bit_cast(i16x4, av),
                                                       __builtin_bit_cast(i16x4, bv), c, 0, 0, 0);
    }
#endif
  }

  // Elements [first, first + kKL) of a 16-byte cache chunk as an operand; fp8 widened to bf16
  // exactly (e4m3 values are bf16 values, so dropping the low half is exact).
  __device__ GPU_INLINE static Operand chunk_operand(gpu::u32x4 v, int first) {
    Operand op;
#pragma unroll
    for (int w = 0; w < kWords; ++w) {
      if constexpr (!kKvIsFp8) {
        op.w[w] = gpu::word_of(v, first / 2 + w);
      } else {
        uint32_t lo = __builtin_bit_cast(uint32_t, kv_to_float(gpu::byte_of(v, first + 2 * w)));
        uint32_t hi = __builtin_bit_cast(uint32_t, kv_to_float(gpu::byte_of(v, first + 2 * w + 1)));
        op.w[w] = (lo >> 16) | (hi & 0xffff0000u);
      }
    }
    return op;
  }

  __device__ GPU_INLINE static float lane_group_max(float v) {
    v = __builtin_fmaxf(v, gpu::shfl_xor(v, 16));
    return __builtin_fmaxf(v, gpu::shfl_xor(v, 32));
  }
  __device__ GPU_INLINE static float lane_group_sum(float v) {
    v += gpu::shfl_xor(v, 16);
    return v + gpu::shfl_xor(v, 32);
  }

  __device__ GPU_INLINE void init(const Args& a, const Work& w, int row_tile, Shared&) {
    const int lane = int(gpu::lane_id());
    row0 = row_tile * 16;
    for (int i = 0; i < kNumO; ++i) o[i] = 0.0f;
    m[0] = -__builtin_inff();
    l[0] = 0.0f;
    // Q^T as the B operand: query row lane % 16, kKL consecutive dims per step.
    const int row = row0 + layout::amd_b_col(lane, 0);
    const int64_t q_row = query_row(w, row);
#pragma unroll
    for (int s = 0; s < kKSteps; ++s) {
      const int dim = layout::amd_score_dim(kX, kKL, s, layout::amd_b_row(kKL, lane, 0));
#pragma unroll
      for (int k = 0; k < kWords; ++k)
        qb[s].w[k] = row < kRows
                         ? reinterpret_cast<const uint32_t*>(a.query + q_row * kHeadDim + dim)[k]
                         : 0u;
    }
  }

  // next_g0: unused (no block-table prefetch on this path yet).
  __device__ GPU_INLINE void process_group(const Args& a, const Work& w, int g0, int, Shared&,
                                           int) {
    const int lane = int(gpu::lane_id());
    const int g = lane / 16;

    // Scores S^T: tile u is 16 tokens; this lane loads the key chunks of token row lane % 16.
    f32x4 sc[kScoreTiles];
#pragma unroll
    for (int u = 0; u < kScoreTiles; ++u) {
      const int token = g0 + layout::amd_group_token(kTV, u, layout::amd_a_row(lane, 0));
      gpu::u32x4 kc[kChunksPerToken];
#pragma unroll
      for (int j = 0; j < kChunksPerToken; ++j)
        kc[j] =
            token < w.end ? gpu::load16(key_chunk(a, w, token, 4 * j + g)) : gpu::u32x4{0, 0, 0, 0};
      sc[u] = f32x4{0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
      for (int s = 0; s < kKSteps; ++s)
        sc[u] =
            mfma(chunk_operand(kc[s / kStepsPerChunk], kKL * (s % kStepsPerChunk)), qb[s], sc[u]);
    }

    // Online softmax for query row lane % 16 over its 4 tokens per tile, then across lane groups.
    const int limit = visible_limit(w, (row0 + lane % 16) / kGroup);
    float p_val[kScoreTiles][4];
    float mx = -__builtin_inff();
#pragma unroll
    for (int u = 0; u < kScoreTiles; ++u)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int token = g0 + layout::amd_group_token(kTV, u, layout::amd_c_row(lane, e));
        const float ks = token < w.end ? token_scale(a, w, a.k_scale, token) : 1.0f;
        const float x =
            token < w.end && token <= limit ? sc[u][e] * a.scale_log2 * ks : -__builtin_inff();
        p_val[u][e] = x;
        mx = __builtin_fmaxf(mx, x);
      }
    const float m_new = __builtin_fmaxf(m[0], lane_group_max(mx));
    const float alpha = m_new == -__builtin_inff() ? 1.0f : gpu::exp2(m[0] - m_new);
    float sum = 0.0f;
#pragma unroll
    for (int u = 0; u < kScoreTiles; ++u)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        float p = m_new == -__builtin_inff() ? 0.0f : gpu::exp2(p_val[u][e] - m_new);
        sum += p;
        if (per_token_scales(a)) {
          const int token = g0 + layout::amd_group_token(kTV, u, layout::amd_c_row(lane, e));
          if (token < w.end) p *= token_scale(a, w, a.v_scale, token);
        }
        p_val[u][e] = p;
      }
    l[0] = l[0] * alpha + lane_group_sum(sum);
    m[0] = m_new;
#pragma unroll
    for (int i = 0; i < kNumO; ++i) o[i] *= alpha;

    // P^T as B operands: PV step v, item e is score tile (kKL / 4) v + e / 4, row 4 g + e % 4.
    Operand pb[kPvSteps];
#pragma unroll
    for (int v = 0; v < kPvSteps; ++v)
#pragma unroll
      for (int k = 0; k < kWords; ++k) {
        const int e = 2 * k;
        const int tile = (kKL / 4) * v + e / 4;
        pb[v].w[k] = gpu::pack_half2<kF16>(p_val[tile][e % 4], p_val[tile][e % 4 + 1]);
      }

    // O^T += V^T P^T: this lane's value chunk is tokens [tv g, tv g + tv) of dim 16 nd + lane % 16.
    const int tok0 = g0 + kTV * g;
#pragma unroll
    for (int nd = 0; nd < kDimTiles; ++nd) {
      const gpu::u32x4 v =
          tok0 < w.end ? mask_value_chunk(gpu::load16(value_chunk(a, w, tok0, 16 * nd + lane % 16)),
                                          tok0, w.context_len)
                       : gpu::u32x4{0, 0, 0, 0};
      f32x4 acc{o[nd * 4], o[nd * 4 + 1], o[nd * 4 + 2], o[nd * 4 + 3]};
#pragma unroll
      for (int s = 0; s < kPvSteps; ++s) acc = mfma(chunk_operand(v, kKL * s), pb[s], acc);
#pragma unroll
      for (int e = 0; e < 4; ++e) o[nd * 4 + e] = acc[e];
    }
  }

  template <class F>
  __device__ GPU_INLINE void for_each_output(F f) const {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int nd = 0; nd < kDimTiles; ++nd)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        f(nd * 4 + e, layout::amd_c_col(lane, e), 16 * nd + layout::amd_c_row(lane, e));
  }
};

}  // namespace pa
