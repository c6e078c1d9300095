// The warpgroup path (sm_90a; query tiles of 33-64 rows, i.e. 64 query rows per KV head at most):
// the CTA's four warps are one warpgroup that multiplies with wgmma, whose m64 instructions cover
// the whole 64-row tile, read the keys and values once from shared memory per CTA and run
// asynchronously, so each warp issues a few instructions per slice where the mma.sync path
// (pa_staged_nv.h) issues ~8 per mma and, at two warps per scheduler, cannot hide their latency
// (KERNEL_NOTES, run 21).
//
// Per slice of 64 tokens: S (64 x 64, f32) = Q K^T by D / 16 (16-bit) or D / 32 (8-bit) k-steps,
// online softmax on S in registers (the D fragment of m64nN is mma.sync's C layout, one 16-row tile
// per warp, so the softmax is the mma.sync path's), then O (64 x D) += P V with P from registers.
// The ring, copies and barriers are pa_staged_nv.h's (SliceCopier, process_partition), with the
// stages laid out as wgmma reads them (WarpgroupStages, pa_wgmma_layout.h): keys K-major with a
// 128-byte swizzle (each key row one token's dims, as the cache's 16-byte key units), values
// K-major (each value row one dim's 64 tokens, as the cache's value units).
//
// fp8 KV: wgmma's 8-bit form takes both operands in e4m3, so the query and the probabilities
// enter as two e4m3 parts each, hi = e4m3(x) and lo = e4m3(x - hi) (~8 significant bits, like
// bf16; two wgmma per product at twice the 16-bit rate), x scaled by a power of two into e4m3's
// range: each query row by its own (undone on the scores), the probabilities by 2^8 (2^E per row
// and slice from the largest p x v-scale with per-token scales), carried by O until finish().
// The keys are stored in the order that makes the score's D fragment the PV's A fragment
// (layout::wg_fp8_key_row).
#pragma once

#include "pa_decode/pa_staged_nv.h"
#include "pa_decode/pa_wgmma_layout.h"

namespace pa::nv {

static_assert(kRowTiles == 4 && kTokenSplits == 1 && kSliceTokens == 64,
              "the warpgroup path covers 64-row tiles with the whole CTA");
constexpr int kKeyRowBytes = kHeadDim * kKvBytes;        // the score's K extent, one token
constexpr int kValueRowBytes = kSliceTokens * kKvBytes;  // the PV's K extent, one dim
constexpr int kKeyWidth = kKeyRowBytes < 128 ? kKeyRowBytes : 128;  // swizzle widths
constexpr int kValueWidth = kValueRowBytes < 128 ? kValueRowBytes : 128;
static_assert((kKeyWidth == 64 || kKeyWidth == 128) && (kValueWidth == 64 || kValueWidth == 128),
              "key and value rows of 64 or 128+ bytes");
constexpr int kWgScoreSteps = kKeyRowBytes / 32;  // one wgmma reads 32 bytes of K per row
constexpr int kWgPvSteps = kValueRowBytes / 32;
constexpr int kParts = kKvIsFp8 ? 2 : 1;  // 8-bit A operands: hi and lo
static_assert(kHeadDim == 64 || kHeadDim == 128, "wgmma n64 / n128 for the PV step");

struct WarpgroupStages {
  static constexpr uint32_t kAlign = 1024;  // of the ring's start: the swizzle's atoms
  // From the start of a stage (its keys); stages start 1024-aligned (the swizzle's atoms).
  static constexpr int kValues = kSliceTokens * kKeyRowBytes;
  static constexpr int kScales = kValues + kHeadDim * kValueRowBytes;
  static constexpr int kStageBytes = (kScales + kScaleBytes + 1023) / 1024 * 1024;
  static constexpr int kGroupBytes = kStages * kStageBytes;
  // From the ring's start:
  static constexpr uint32_t keys(int stage) { return uint32_t(stage * kStageBytes); }
  static constexpr uint32_t values(int stage) { return keys(stage) + kValues; }
  static constexpr uint32_t scales(int stage) { return keys(stage) + kScales; }

  static constexpr int key_row(int token) {
    return kKvIsFp8 ? layout::wg_fp8_key_row(token) : token;
  }
  // Copy j of a thread whose first key unit is (chunk0, token): chunk0 + 2 j (bytes 16 chunk of
  // the token's row).
  static constexpr uint32_t key_copy(uint32_t stage, int chunk0, int token, int j) {
    return stage +
           layout::wg_kmajor_offset(kKeyWidth, kSliceTokens, key_row(token), 16 * (chunk0 + 2 * j));
  }
  // Value unit (group g = tokens kTV g .., dim d): bytes 16 g of dim d's row.
  static constexpr int value_unit(int group, int dim) {
    return int(layout::wg_kmajor_offset(kValueWidth, kHeadDim, dim, 16 * group));
  }
  static constexpr uint32_t value_copy(uint32_t stage, int group, int dim0, int j) {
    return stage + kValues + uint32_t(value_unit(group, dim0 + 2 * kTV * j));
  }
};
constexpr int kWarpgroupSharedBytes = WarpgroupStages::kGroupBytes;
static_assert(PA_NV_STAGES != 3 || kWarpgroupSharedBytes <= 768 * kHeadDim,
              "shared memory layout outgrew the launch rule");

// ---------------------------------------------------------------------------------------------
// PTX wrappers. Accumulators are asm operands, but the tensor core writes them after the
// instruction has issued, until wgmma.wait_group: fence_operands ties later reads to the wait.
__device__ GPU_INLINE inline void wg_fence() {
  asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
}
__device__ GPU_INLINE inline void wg_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
}
__device__ GPU_INLINE inline void wg_wait_all() {
  asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
}
template <int N>
__device__ GPU_INLINE inline void fence_operands(float (&d)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i) asm volatile("" : "+f"(d[i])::"memory");
}

#define PA_WG_F4(d, i) "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3])
#define PA_WG_F32(d, i)                                                        \
  PA_WG_F4(d, i), PA_WG_F4(d, i + 4), PA_WG_F4(d, i + 8), PA_WG_F4(d, i + 12), \
      PA_WG_F4(d, i + 16), PA_WG_F4(d, i + 20), PA_WG_F4(d, i + 24), PA_WG_F4(d, i + 28)
#define PA_WG_D32                                                                               \
  "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, " \
  "%20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}"
#define PA_WG_D64                                                                               \
  "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, " \
  "%20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, "  \
  "%38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, "  \
  "%56, %57, %58, %59, %60, %61, %62, %63}"
// d (+)= a b: A from registers, B from the shared-memory descriptor, D = a b when !accumulate.
// Trailing immediates: scale-a, scale-b (1: not negated), and for 16-bit types trans-b (0: B is
// K-major).
#define PA_WG_MMA_N64(TYPES, TAIL)                              \
  asm volatile(                                                 \
      "{ .reg .pred p; setp.ne.b32 p, %37, 0;\n"                \
      "wgmma.mma_async.sync.aligned.m64n64" TYPES " " PA_WG_D32 \
      ", {%32, %33, %34, %35}, %36, p, " TAIL "; }"             \
      : PA_WG_F32(d, 0)                                         \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(accumulate))
#define PA_WG_MMA_N128(TYPES, TAIL)                              \
  asm volatile(                                                  \
      "{ .reg .pred p; setp.ne.b32 p, %69, 0;\n"                 \
      "wgmma.mma_async.sync.aligned.m64n128" TYPES " " PA_WG_D64 \
      ", {%64, %65, %66, %67}, %68, p, " TAIL "; }"              \
      : PA_WG_F32(d, 0), PA_WG_F32(d, 32)                        \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(accumulate))

template <int N>
__device__ GPU_INLINE inline void wgmma(float (&d)[N / 2], const uint32_t (&a)[4], uint64_t desc,
                                        int accumulate) {
  static_assert(N == 64 || N == 128, "m64n64 or m64n128");
#define PA_WG_MMA(TYPES, TAIL)  \
  if constexpr (N == 64)        \
    PA_WG_MMA_N64(TYPES, TAIL); \
  else                          \
    PA_WG_MMA_N128(TYPES, TAIL)
  if constexpr (kKvIsFp8) {
    PA_WG_MMA("k32.f32.e4m3.e4m3", "1, 1");
  } else if constexpr (kF16) {
    PA_WG_MMA("k16.f32.f16.f16", "1, 1, 0");
  } else {
    PA_WG_MMA("k16.f32.bf16.bf16", "1, 1, 0");
  }
#undef PA_WG_MMA
}

// Four values already scaled into e4m3's range (|x| <= 448) as two registers of four e4m3 codes
// (first value in the low byte), hi + lo = x to ~8 significant bits. Through f16: every value here
// is exact in f16 to the precision that matters, and so is x - hi.
__device__ GPU_INLINE inline void split_e4m3x4(float x0, float x1, float x2, float x3, uint32_t& hi,
                                               uint32_t& lo) {
  uint32_t h01, h23;
  asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(h01) : "f"(x1), "f"(x0));  // x0 in the low half
  asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(h23) : "f"(x3), "f"(x2));
  uint16_t hi01, hi23, lo01, lo23;
  asm("cvt.rn.satfinite.e4m3x2.f16x2 %0, %1;" : "=h"(hi01) : "r"(h01));
  asm("cvt.rn.satfinite.e4m3x2.f16x2 %0, %1;" : "=h"(hi23) : "r"(h23));
  uint32_t r01, r23;
  asm("sub.rn.f16x2 %0, %1, %2;" : "=r"(r01) : "r"(h01), "r"(widen_fp8x2(hi01)));
  asm("sub.rn.f16x2 %0, %1, %2;" : "=r"(r23) : "r"(h23), "r"(widen_fp8x2(hi23)));
  asm("cvt.rn.satfinite.e4m3x2.f16x2 %0, %1;" : "=h"(lo01) : "r"(r01));
  asm("cvt.rn.satfinite.e4m3x2.f16x2 %0, %1;" : "=h"(lo23) : "r"(r23));
  hi = uint32_t(hi01) | (uint32_t(hi23) << 16);
  lo = uint32_t(lo01) | (uint32_t(lo23) << 16);
}

// 2^e as a float, e in [-126, 127].
__device__ GPU_INLINE inline float pow2(int e) {
  return __builtin_bit_cast(float, uint32_t(e + 127) << 23);
}
// The exponent that puts a positive x's largest power of two at 2^7 (x 2^e in [128, 256)),
// clamped so that 2^e and 2^-e stay normal floats.
__device__ GPU_INLINE inline int e4m3_scale_exponent(float x) {
  const int e = 7 - (int((__builtin_bit_cast(uint32_t, x) >> 23) & 0xff) - 127);
  return e < -100 ? -100 : e > 100 ? 100 : e;
}

// d (+)= A B over the k-steps of a: A fragments a[step][part] from registers (8-bit: hi and lo
// parts, both multiplied), B the K-major tile at shared-window address `tile` (kRows rows,
// swizzle width kWidth); d starts from zero unless `accumulate`. Returns once d is final.
template <int N, int kWidth, int kRows, int kSteps>
__device__ GPU_INLINE inline void multiply(float (&d)[N / 2],
                                           const uint32_t (&a)[kSteps][kParts][4], uint32_t tile,
                                           bool accumulate) {
  const uint64_t desc = layout::wg_descriptor(tile, kWidth);
  wg_fence();  // orders this thread's writes of d and a before the tensor core reads them
#pragma unroll
  for (int s = 0; s < kSteps; ++s)
#pragma unroll
    for (int part = 0; part < kParts; ++part)
      wgmma<N>(d, a[s][part], desc + (layout::wg_kstep_offset(kWidth, kRows, s) >> 4),
               accumulate || s + part > 0);
  wg_commit();
  wg_wait_all();
  fence_operands(d);
}

// ---------------------------------------------------------------------------------------------
// The warpgroup's online-softmax state: warp w holds rows 16 w .. 16 w + 15 of the 64-row tile in
// wgmma's D layout (mma.sync's C layout: lane l holds rows l / 4 and l / 4 + 8, dims
// 8 nd + 2 (l % 4) + {0, 1}). The interface pa_decode.hip's write step uses (o, m, l, row0,
// row_slot_of, for_each_output) is StagedPath's.
struct WarpgroupPath {
  using Stages = WarpgroupStages;
  static constexpr bool kAsyncProxyReads = true;  // wgmma reads its B operands that way
  static constexpr int kNumO = kHeadDim / 2;      // m64nD: D / 8 tiles of 4 per thread
  static constexpr int kNumRowSlots = 2;
  static constexpr int kScoreTiles = kSliceTokens / 8;

  float o[kNumO];
  float m[2];
  float l[2];
  int row0;
  uint32_t qa[kWgScoreSteps][kParts][4];  // the query as A fragments (8-bit: hi, lo)
  float q_unscale[2];                     // 8-bit: 2^-e of each row's query scale
  int o_exponent[2];                      // 8-bit: O carries the probabilities' 2^E

  static constexpr int row_slot_of(int i) { return (i % 4) / 2; }

  // Score column c of tile j: the token of the slice it holds (the keys' row order).
  static constexpr int score_token(int j, int c) {
    return kKvIsFp8 ? layout::wg_fp8_score_token(8 * j + c) : 8 * j + c;
  }

  __device__ GPU_INLINE void init(const Args& a, const Work& w, int row_tile) {
    const int lane = int(gpu::lane_id());
    row0 = row_tile * 16;
    for (int i = 0; i < kNumO; ++i) o[i] = 0.0f;
    for (int r = 0; r < 2; ++r) {
      m[r] = -__builtin_inff();
      l[r] = 0.0f;
      q_unscale[r] = 1.0f;
      o_exponent[r] = kKvIsFp8 ? 8 : 0;
    }
    if constexpr (!kKvIsFp8) {
      // Register r holds A elements {2r, 2r+1}: two adjacent dims of one row, one 32-bit load.
#pragma unroll
      for (int s = 0; s < kWgScoreSteps; ++s)
#pragma unroll
        for (int r = 0; r < 4; ++r) {
          const int row = row0 + layout::nv_a_row(lane, 2 * r);
          const int dim = 16 * s + layout::nv_a_col(lane, 2 * r);  // and dim + 1
          qa[s][0][r] =
              row < kRows
                  ? *reinterpret_cast<const uint32_t*>(a.query + query_row(w, row) * kHeadDim + dim)
                  : 0u;
        }
    } else {
      // Register r holds dims 32 s + wg_a8_col(lane, r, 0..3) of row wg_a8_row(lane, r): one
      // 64-bit load of four bf16. Each row is scaled by the power of two that puts its largest
      // |q| in [128, 256); the row's 4 lanes agree on it.
      auto load4 = [&](int s, int r, float (&x)[4]) {
        const int row = row0 + layout::wg_a8_row(lane, r);
        uint64_t v = 0;
        if (row < kRows)
          v = *reinterpret_cast<const uint64_t*>(a.query + query_row(w, row) * kHeadDim + 32 * s +
                                                 layout::wg_a8_col(lane, r, 0));
        for (int b = 0; b < 4; ++b) x[b] = gpu::bf16_to_float(uint16_t(v >> (16 * b)));
      };
      float amax[2] = {0.0f, 0.0f};
#pragma unroll
      for (int s = 0; s < kWgScoreSteps; ++s)
#pragma unroll
        for (int r = 0; r < 4; ++r) {
          float x[4];
          load4(s, r, x);
          for (int b = 0; b < 4; ++b)
            amax[r % 2] = __builtin_fmaxf(amax[r % 2], __builtin_fabsf(x[b]));
        }
      float q_scale[2];
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const float mx = gpu::warp_max<4>(amax[h]);
        const int e = mx > 0.0f ? e4m3_scale_exponent(mx) : 0;
        q_scale[h] = pow2(e);
        q_unscale[h] = pow2(-e);
      }
#pragma unroll
      for (int s = 0; s < kWgScoreSteps; ++s)
#pragma unroll
        for (int r = 0; r < 4; ++r) {
          float x[4];
          load4(s, r, x);
          const float f = q_scale[r % 2];
          split_e4m3x4(x[0] * f, x[1] * f, x[2] * f, x[3] * f, qa[s][0][r], qa[s][1][r]);
        }
    }
  }

  __device__ GPU_INLINE void process_slice(const Args& a, const Work& w, int t0, bool edge,
                                           uint32_t keys, uint32_t values, const float* scales) {
    const int lane = int(gpu::lane_id());
    // S = Q K^T: the tensor core reads the keys once for the whole tile.
    float p[kScoreTiles][4];
    multiply<kSliceTokens, kKeyWidth, kSliceTokens>(
        *reinterpret_cast<float (*)[kScoreTiles * 4]>(&p), qa, keys, false);

    // Online softmax over the two rows this lane holds; each row's 4 lanes share the max and sum.
    float alpha_o[2];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      float pv_max;
      alpha_o[h] = online_softmax_row(p, h, a.scale_log2 * q_unscale[h], a, w, t0,
                                      row0 + layout::nv_c_row(lane, 2 * h), edge, scales,
                                      score_token, m[h], l[h], pv_max);
      if constexpr (kKvIsFp8) {
        // The probabilities enter the 8-bit PV scaled by 2^E: 2^8 (p <= 1), or with per-token
        // v scales by what puts this slice's largest p x v-scale of the row in [128, 256); O
        // carries 2^E, so a change of E rescales it like a change of the max.
        // E rises by at most 60 a slice (so 2^(E - E_old) stays finite: a slice 2^60 below the
        // earlier ones adds nothing visible), and a fall of more than 126 flushes the old O.
        int e_new = o_exponent[h];
        if (per_token_scales(a)) {
          pv_max = gpu::warp_max<4>(pv_max);
          if (pv_max > 0.0f) {
            const int e = e4m3_scale_exponent(pv_max);
            e_new = e < e_new + 60 ? e : e_new + 60;
          }
          const int rise = e_new - o_exponent[h];
          alpha_o[h] *= pow2(rise < -126 ? -126 : rise);
        }
        const float f = pow2(e_new);
#pragma unroll
        for (int j = 0; j < kScoreTiles; ++j)
#pragma unroll
          for (int e = 0; e < 2; ++e) p[j][2 * h + e] *= f;
        o_exponent[h] = e_new;
      }
    }
    if (warp_any(alpha_o[0] != 1.0f || alpha_o[1] != 1.0f)) {
#pragma unroll
      for (int i = 0; i < kNumO; ++i) o[i] *= alpha_o[row_slot_of(i)];
    }

    // O += P V: score tiles become A fragments in the same lane (layout::wg_p_tile).
    uint32_t pa[kWgPvSteps][kParts][4];
#pragma unroll
    for (int u = 0; u < kWgPvSteps; ++u)
#pragma unroll
      for (int r = 0; r < 4; ++r) {
        auto pr = [&](int e) {
          return p[layout::wg_p_tile(kKvBytes, u, r, e)][layout::wg_p_element(kKvBytes, r, e)];
        };
        if constexpr (kKvIsFp8)
          split_e4m3x4(pr(0), pr(1), pr(2), pr(3), pa[u][0][r], pa[u][1][r]);
        else
          pa[u][0][r] = gpu::pack_half2<kF16>(pr(0), pr(1));
      }
    multiply<kHeadDim, kValueWidth, kHeadDim>(o, pa, values, true);
  }

  // O back to the probabilities' own scale (8-bit: it carries 2^o_exponent).
  __device__ GPU_INLINE void finish() {
    if constexpr (kKvIsFp8) {
      const float f[2] = {pow2(-o_exponent[0]), pow2(-o_exponent[1])};
#pragma unroll
      for (int i = 0; i < kNumO; ++i) o[i] *= f[row_slot_of(i)];
    }
  }

  template <class F>
  __device__ GPU_INLINE void for_each_output(F f) const {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int nd = 0; nd < kHeadDim / 8; ++nd)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        f(nd * 4 + e, layout::nv_c_row(lane, e), 8 * nd + layout::nv_c_col(lane, e));
  }
};

}  // namespace pa::nv
