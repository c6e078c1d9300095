// The NVIDIA path (sm_80+; the matrix builds it for sm_90a): keys and values stream through
// rings of shared-memory stages that cp.async fills (16-byte copies: nothing is held in registers
// while in flight), the warps read their operands with ldmatrix and multiply with
// mma.sync.m16n8k16 (bf16 or f16 in, f32 accumulate).
//
// The CTA's four warps are kRowTiles x kTokenSplits (pa_work.h). The warps of one token split —
// its kRowTiles row tiles, which need the same keys and values — form a group with its own ring:
// the group copies its slices of kSliceTokens tokens (slice j of split s starts at token
// begin + (j kTokenSplits + s) kSliceTokens) and synchronises only its own warps, so groups never
// wait for each other (a single warp when there is one row tile). Every KV byte crosses the memory
// bus once per CTA whatever the number of query rows (up to 64: four row tiles read one slice).
// fp8 slices stay fp8 in shared memory: each warp widens its ldmatrix registers to f16 with the
// paired hardware conversion (cvt.f16x2.e4m3x2), which needs no barrier and half the
// shared-memory reads; the operands then come in the order of pa_mma_layout.h's nv_fp8_order, and
// the query dims and probabilities follow it.
//
// Shared memory is dynamic (more than the 48 KiB a static array may take): the launch rule passes
// 768 * PA_HEAD_DIM (launch.steps[0].shared_bytes for nvidia; at least kSharedBytes, checked at
// entry). Layout (pa_mma_layout.h has the index functions and the host test that checks them),
// per group:
//   stages[kStages]: the slice as stored in the cache (raw), each
//     keys    [D / kX chunks][kSliceTokens tokens]   16-byte units of kX dims of one token
//                                                     (fp8: token slots swizzled, nv_fp8_key_unit)
//     values  [block parts][D dims][groups of a part], swizzled
//                                                     16-byte units of kTV tokens of one dim
//     (fp8)   per-token k and v scales, float [kSliceTokens] each
// The merge of the warps' softmax states reuses the stages once every slice is consumed.
#pragma once

#include "pa_decode/pa_mma_layout.h"
#include "pa_decode/pa_work.h"

namespace pa::nv {

constexpr int kSliceTokens = 64 / kTokenSplits;  // 16, 32 or 64: 16 tokens per row-tile warp
constexpr int kGroupThreads = kRowTiles * gpu::kWarpSize;
static_assert(kPartitionAlign % (kSliceTokens * kTokenSplits) == 0,
              "partitions must hold whole rounds of slices");
// Ring depth: PA_NV_STAGES is a tuning knob for the bench (bench/pa_decode); the launch rule's
// shared memory is sized for the default.
#ifndef PA_NV_STAGES
#define PA_NV_STAGES 3
#endif
constexpr int kStages = PA_NV_STAGES;
static_assert(kStages >= 2, "the ring needs two stages");
constexpr int kUnit = 16;  // bytes of one cp.async copy and of one ldmatrix row
// L2 prefetch size of the key and value copies (cp.async's .L2::<n>B qualifier: on a miss the L2
// fetches that many bytes around the copied ones from DRAM). 0: no qualifier. 128, as FlashInfer's
// KV copies ask: 1.3% faster over the anchors than none, 256 no better (KERNEL_NOTES, run 15).
#ifndef PA_NV_L2_PREFETCH
#define PA_NV_L2_PREFETCH 128
#endif
#if PA_NV_L2_PREFETCH == 0
#define PA_NV_L2_PREFETCH_QUALIFIER ""
#elif PA_NV_L2_PREFETCH == 64
#define PA_NV_L2_PREFETCH_QUALIFIER ".L2::64B"
#elif PA_NV_L2_PREFETCH == 128
#define PA_NV_L2_PREFETCH_QUALIFIER ".L2::128B"
#elif PA_NV_L2_PREFETCH == 256
#define PA_NV_L2_PREFETCH_QUALIFIER ".L2::256B"
#else
#error "PA_NV_L2_PREFETCH must be 0, 64, 128 or 256"
#endif
// mma element type: f16 for fp16 caches and for fp8 (widened exactly: e4m3 fits in f16), else bf16.
constexpr bool kF16 = kIoIsFp16 || kKvIsFp8;

constexpr int kTV = 16 / kKvBytes;  // tokens per raw value unit
constexpr int kRawKeyUnits = kHeadDim / kX * kSliceTokens;
constexpr int kRawValueUnits = kSliceTokens / kTV * kHeadDim;
constexpr int kScaleBytes = kKvIsFp8 ? 2 * kSliceTokens * 4 : 0;
constexpr int kStageBytes = (kRawKeyUnits + kRawValueUnits) * kUnit + kScaleBytes;
constexpr int kGroupBytes = kStages * kStageBytes;
constexpr int kSharedBytes = kTokenSplits * kGroupBytes;
static_assert(PA_NV_STAGES != 3 || kSharedBytes <= 768 * kHeadDim,
              "shared memory layout outgrew the launch rule");

// Who copies what: each thread of a group serves one KV block of the slice (it spans
// kBlocksPerSlice blocks, or part of one when blocks are longer than a slice), so it looks up one
// block id per slice.
constexpr int kBlocksPerSlice = kBlockSize >= kSliceTokens ? 1 : kSliceTokens / kBlockSize;
constexpr int kSlotsPerPart = kSliceTokens / kBlocksPerSlice;  // slots of each block in a slice
constexpr int kThreadsPerPart = kGroupThreads / kBlocksPerSlice;
constexpr int kKeyCopies = kHeadDim / kX * kSlotsPerPart / kThreadsPerPart;
constexpr int kValueCopies = kHeadDim * (kSlotsPerPart / kTV) / kThreadsPerPart;
static_assert(kGroupThreads % kBlocksPerSlice == 0 && kSlotsPerPart % kTV == 0, "slice shapes");
static_assert(kKeyCopies * kThreadsPerPart == kHeadDim / kX * kSlotsPerPart, "key copies");
static_assert(kValueCopies * kThreadsPerPart == kHeadDim * (kSlotsPerPart / kTV), "value copies");
static_assert(kThreadsPerPart == 2 * kSlotsPerPart, "one k or v scale per thread");
// Value units per dim of one block part: the runs of nv_value_unit.
constexpr int kRawValueRun = kSlotsPerPart / kTV;
static_assert(kRawValueRun <= 8, "nv_value_unit's swizzle covers runs of at most 8 groups");

constexpr int kScoreTiles = kSliceTokens / 8;  // n8 tiles of the score step
constexpr int kPvSteps = kSliceTokens / 16;    // k16 steps of the PV step
constexpr int kKSteps = kHeadDim / 16;
constexpr int kDimTiles = kHeadDim / 8;
static_assert(!kKvIsFp8 || (kKSteps % 2 == 0 && kDimTiles % 4 == 0), "fp8 operand loads");

// Where the stage keeps the key unit (chunk of kX dims, token) of a slice.
constexpr int key_unit(int chunk, int token) {
  return kKvIsFp8 ? layout::nv_fp8_key_unit(kSliceTokens, chunk, token)
                  : layout::nv_key_unit(kSliceTokens, chunk, token);
}
// The token of score tile j's column c (C layout): fp8 operands come in nv_fp8_order.
constexpr int score_token(int j, int c) {
  return kKvIsFp8 ? layout::nv_fp8_score_token(j, c) : 8 * j + c;
}
// The head dim of the query at column k of score k-step s (A layout).
constexpr int query_dim(int s, int k) { return 16 * s + (kKvIsFp8 ? layout::nv_fp8_order(k) : k); }

// ---------------------------------------------------------------------------------------------
// PTX wrappers. Shared-memory operands are 32-bit shared-window addresses.
__device__ GPU_INLINE inline uint32_t shared_address(const void* p) {
  uint32_t a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
  return a;
}
// Copies 16 bytes, or writes 16 zero bytes without reading when !valid.
__device__ GPU_INLINE inline void copy16(uint32_t dst, const void* src, bool valid) {
  asm volatile("cp.async.cg.shared.global" PA_NV_L2_PREFETCH_QUALIFIER
               " [%0], [%1], 16, %2;" ::"r"(dst),
               "l"(src), "r"(valid ? 16 : 0)
               : "memory");
}
__device__ GPU_INLINE inline void copy4(uint32_t dst, const void* src, bool valid) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;" ::"r"(dst), "l"(src),
               "r"(valid ? 4 : 0)
               : "memory");
}
__device__ GPU_INLINE inline void commit_copies() {
  asm volatile("cp.async.commit_group;" ::: "memory");
}
// Waits until at most N of this thread's most recent copy groups are still in flight.
template <int N>
__device__ GPU_INLINE inline void wait_copies() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}
__device__ GPU_INLINE inline void load_matrix_x4(uint32_t (&r)[4], uint32_t address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address)
               : "memory");
}
__device__ GPU_INLINE inline void mma(float* c, const uint32_t* a, uint32_t b0, uint32_t b1) {
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
// Two e4m3 codes (low byte first) as f16x2 (low half first), exactly.
__device__ GPU_INLINE inline uint32_t widen_fp8x2(uint32_t two) {
  uint32_t h2;
  asm("cvt.rn.f16x2.e4m3x2 %0, %1;" : "=r"(h2) : "h"(uint16_t(two)));
  return h2;
}
__device__ GPU_INLINE inline bool warp_any(bool predicate) {
  return __nvvm_vote_any_sync(0xffffffffu, predicate);
}
__device__ GPU_INLINE inline uint32_t dynamic_shared_bytes() {
  uint32_t n;
  asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(n));
  return n;
}

// Where a group's ring keeps each stage's keys, values and (fp8) per-token scales, and the key and
// value units inside them: the layout ldmatrix reads (pa_mma_layout.h). The copies and the ring
// (SliceCopier, process_partition) take the layout as a parameter; the warpgroup path
// (pa_wgmma_nv.h) has its own.
struct LdmatrixStages {
  static constexpr uint32_t kAlign = 128;  // of the ring's start
  static constexpr int kStageBytes = nv::kStageBytes;
  static constexpr int kGroupBytes = nv::kGroupBytes;
  // From the start of a stage (its keys):
  static constexpr int kValues = kRawKeyUnits * kUnit;
  static constexpr int kScales = (kRawKeyUnits + kRawValueUnits) * kUnit;
  // From the ring's start:
  static constexpr uint32_t keys(int stage) { return uint32_t(stage * kStageBytes); }
  static constexpr uint32_t values(int stage) { return keys(stage) + kValues; }
  static constexpr uint32_t scales(int stage) { return keys(stage) + kScales; }
  // Where copy j of a thread whose first key unit is (chunk0, token) goes in the stage at `stage`:
  // chunk0 + 2 j, same token.
  static constexpr uint32_t key_copy(uint32_t stage, int chunk0, int token, int j) {
    return stage + kUnit * key_unit(chunk0, token) + j * 2 * kSliceTokens * kUnit;
  }
  // Copy j of a thread whose first value unit is (group, dim0): dim0 + 2 kTV j, a multiple of 8
  // dims further, where the swizzle is the same.
  static constexpr uint32_t value_copy(uint32_t stage, int group, int dim0, int j) {
    static_assert(2 * kTV % 8 == 0, "value copies must keep the swizzle bits");
    return stage + kValues + kUnit * layout::nv_value_unit(kHeadDim, kRawValueRun, group, dim0) +
           j * 2 * kTV * kRawValueRun * kUnit;
  }
  static constexpr int value_unit(int group, int dim) {
    return kUnit * layout::nv_value_unit(kHeadDim, kRawValueRun, group, dim);
  }
};

// Makes the group's shared-memory writes visible to the whole group: the warp alone, or a named
// barrier over the group's warps (ids 1 and 2: with more than one row tile there are at most two
// groups; 0 is __syncthreads). Immediate ids, so ptxas reserves only those barriers.
__device__ GPU_INLINE inline void sync_group(int split) {
  static_assert(kRowTiles == 1 || kTokenSplits <= 2, "named barriers for at most two groups");
  if constexpr (kRowTiles == 1) {
    gpu::sync_warp();
  } else if (split == 0) {
    asm volatile("bar.sync 1, %0;" ::"n"(kGroupThreads) : "memory");
  } else {
    asm volatile("bar.sync 2, %0;" ::"n"(kGroupThreads) : "memory");
  }
}

// ---------------------------------------------------------------------------------------------
// The online-softmax update of one of a lane's two rows (slot h: C elements 2h, 2h + 1 of each
// n8 tile) over a slice's scores p (C layout, tile j column c = token token_of(j, c) of the slice),
// shared by the mma.sync and warpgroup paths: scores scaled (row_scale, per-token k scales),
// masked at the slice's edge, exponentiated against the row's new max; p becomes the
// probabilities (times the per-token v scales), m and l move on, the row's 4 lanes agreeing.
// Returns the factor the row's old O must take; pv_max: the largest probability x v scale
// (per-token scales only).
template <int kTiles, class TokenOf>
__device__ GPU_INLINE inline float online_softmax_row(float (&p)[kTiles][4], int h, float row_scale,
                                                      const Args& a, const Work& w, int t0, int row,
                                                      bool edge, const float* scales,
                                                      TokenOf token_of, float& m, float& l,
                                                      float& pv_max) {
  const int lane = int(gpu::lane_id());
  const bool per_token = per_token_scales(a);
  const int limit = visible_limit(w, row / kGroup);
  float mx = -__builtin_inff();
#pragma unroll
  for (int j = 0; j < kTiles; ++j)
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      const int t = token_of(j, layout::nv_c_col(lane, e));
      float x = p[j][2 * h + e] * row_scale;
      if (per_token) x *= scales[t];
      if (edge) x = t0 + t < w.end && t0 + t <= limit ? x : -__builtin_inff();
      p[j][2 * h + e] = x;
      mx = __builtin_fmaxf(mx, x);
    }
  mx = gpu::warp_max<4>(mx);
  const float m_new = __builtin_fmaxf(m, mx);
  const float alpha = m_new == -__builtin_inff() ? 1.0f : gpu::exp2(m - m_new);
  float sum = 0.0f;
  pv_max = 0.0f;
#pragma unroll
  for (int j = 0; j < kTiles; ++j)
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      float pr = m_new == -__builtin_inff() ? 0.0f : gpu::exp2(p[j][2 * h + e] - m_new);
      sum += pr;
      if (per_token) {
        const int t = token_of(j, layout::nv_c_col(lane, e));
        pr = t0 + t < w.end ? pr * scales[kSliceTokens + t] : 0.0f;
        pv_max = __builtin_fmaxf(pv_max, pr);
      }
      p[j][2 * h + e] = pr;
    }
  l = l * alpha + gpu::warp_sum<4>(sum);
  m = m_new;
  return alpha;
}

// ---------------------------------------------------------------------------------------------
// One warp's online-softmax state over a 16-row tile of the query tile, in mma C layout: lane l
// holds rows l / 4 and l / 4 + 8, dims 8 nd + 2 (l % 4) + {0, 1}. The interface pa_decode.hip's
// merge and write steps use (o, m, l, row0, row_slot_of, for_each_output).
struct StagedPath {
  using Stages = LdmatrixStages;
  static constexpr bool kAsyncProxyReads = false;  // ldmatrix reads through the generic proxy
  static constexpr int kNumO = kDimTiles * 4;
  static constexpr int kNumRowSlots = 2;

  float o[kNumO];
  float m[2];
  float l[2];
  int row0;
  uint32_t qa[kKSteps][4];  // the query tile as A fragments (row l/4 and l/4+8)

  static constexpr int row_slot_of(int i) { return (i % 4) / 2; }

  __device__ GPU_INLINE void init(const Args& a, const Work& w, int row_tile) {
    const int lane = int(gpu::lane_id());
    row0 = row_tile * 16;
    for (int i = 0; i < kNumO; ++i) o[i] = 0.0f;
    for (int r = 0; r < 2; ++r) {
      m[r] = -__builtin_inff();
      l[r] = 0.0f;
    }
    // Register r holds A elements {2r, 2r+1}: two adjacent dims of one row, one 32-bit load.
#pragma unroll
    for (int s = 0; s < kKSteps; ++s) {
#pragma unroll
      for (int r = 0; r < 4; ++r) {
        const int row = row0 + layout::nv_a_row(lane, 2 * r);
        const int dim = query_dim(s, layout::nv_a_col(lane, 2 * r));  // and dim + 1
        uint32_t v = 0;
        if (row < kRows) {
          v = *reinterpret_cast<const uint32_t*>(a.query + query_row(w, row) * kHeadDim + dim);
          if constexpr (kKvIsFp8) {
            v = gpu::pack_half2<true>(gpu::bf16_to_float(uint16_t(v)),
                                      gpu::bf16_to_float(uint16_t(v >> 16)));
          }
        }
        qa[s][r] = v;
      }
    }
  }

  // The slice starting at token t0, whose keys and values are at `keys` / `values` (shared-window
  // addresses of the stage) and per-token scales (fp8, kv_scale_mode 1) at `scales`. `edge`: some
  // token of the slice is past the partition or hidden from some query row (causal), so scores are
  // masked; inner slices skip that work.
  __device__ GPU_INLINE void process_slice(const Args& a, const Work& w, int t0, bool edge,
                                           uint32_t keys, uint32_t values, const float* scales) {
    const int lane = int(gpu::lane_id());
    // Few score tiles make short mma chains over the head dim: split each into kChains
    // independent partial sums so the tensor core's latency overlaps.
    constexpr int kChains = kScoreTiles >= 4 ? 1 : 2;
    float sc[kChains][kScoreTiles][4];
#pragma unroll
    for (int c = 0; c < kChains; ++c)
#pragma unroll
      for (int j = 0; j < kScoreTiles; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) sc[c][j][e] = 0.0f;
    if constexpr (kKvIsFp8) {
      // One ldmatrix.x4 of fp8 keys holds four n8 x k16 operands: 4 tiles of one k-step, or 2
      // tiles of 2 k-steps in a 16-token slice. Units are linear in the step and the first tile.
      constexpr int kTiles = kScoreTiles < 4 ? kScoreTiles : 4;
      constexpr int kSteps = 4 / kTiles;
      const uint32_t lane_keys =
          keys + kUnit * key_unit(layout::nv_fp8_score_ldm_chunk(kTiles, lane),
                                  layout::nv_fp8_score_token(
                                      layout::nv_fp8_score_ldm_tile(kTiles, lane), lane % 8));
#pragma unroll
      for (int s = 0; s < kKSteps; s += kSteps) {
#pragma unroll
        for (int j0 = 0; j0 < kScoreTiles; j0 += kTiles) {
          uint32_t b[4];
          load_matrix_x4(b, lane_keys + kUnit * (s * kSliceTokens + 8 * j0));
#pragma unroll
          for (int m = 0; m < 4; ++m) {
            const int step = s + m / kTiles;
            mma(sc[step % kChains][j0 + m % kTiles], qa[step], widen_fp8x2(b[m]),
                widen_fp8x2(b[m] >> 16));
          }
        }
      }
    } else {
#pragma unroll
      for (int s = 0; s < kKSteps; ++s) {
#pragma unroll
        for (int jj = 0; jj < kScoreTiles / 2; ++jj) {
          uint32_t b[4];
          const int token = 16 * jj + layout::nv_score_ldm_token(lane);
          load_matrix_x4(b, keys + kUnit * key_unit(layout::nv_score_ldm_chunk(s, lane), token));
          mma(sc[s % kChains][2 * jj], qa[s], b[0], b[1]);
          mma(sc[s % kChains][2 * jj + 1], qa[s], b[2], b[3]);
        }
      }
    }
#pragma unroll
    for (int c = 1; c < kChains; ++c)
#pragma unroll
      for (int j = 0; j < kScoreTiles; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) sc[0][j][e] += sc[c][j][e];
    float (&p)[kScoreTiles][4] = sc[0];

    // Online softmax over the two rows this lane holds; each row's 4 lanes share the max and sum.
    float alpha[2];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      float pv_max;  // (unused here)
      alpha[h] =
          online_softmax_row(p, h, a.scale_log2, a, w, t0, row0 + layout::nv_c_row(lane, 2 * h),
                             edge, scales, score_token, m[h], l[h], pv_max);
    }
    // The running max rarely moves once a few tiles are in: rescale only when it did for some row.
    if (warp_any(alpha[0] != 1.0f || alpha[1] != 1.0f)) {
#pragma unroll
      for (int nd = 0; nd < kDimTiles; ++nd)
#pragma unroll
        for (int e = 0; e < 4; ++e) o[nd * 4 + e] *= alpha[e / 2];
    }

    // P x V: score tiles 2u and 2u+1 are the A fragment of k-step u (tokens 16u .. 16u + 15).
#pragma unroll
    for (int u = 0; u < kPvSteps; ++u) {
      const uint32_t pa[4] = {gpu::pack_half2<kF16>(p[2 * u][0], p[2 * u][1]),
                              gpu::pack_half2<kF16>(p[2 * u][2], p[2 * u][3]),
                              gpu::pack_half2<kF16>(p[2 * u + 1][0], p[2 * u + 1][1]),
                              gpu::pack_half2<kF16>(p[2 * u + 1][2], p[2 * u + 1][3])};
      if constexpr (kKvIsFp8) {
        // One ldmatrix.x4 of fp8 values (token group u) holds four k16 x n8 operands: 32 dims.
        // Units are linear in the quad (32 dims: whole runs of the swizzle).
        const uint32_t lane_values =
            values + kUnit * layout::nv_value_unit(kHeadDim, kRawValueRun, u,
                                                   layout::nv_fp8_pv_ldm_dim(0, lane));
#pragma unroll
        for (int quad = 0; quad < kDimTiles / 4; ++quad) {
          uint32_t b[4];
          load_matrix_x4(b, lane_values + kUnit * 32 * kRawValueRun * quad);
#pragma unroll
          for (int m = 0; m < 4; ++m)
            mma(&o[(4 * quad + m) * 4], pa, widen_fp8x2(b[m]), widen_fp8x2(b[m] >> 16));
        }
      } else {
        const int group = layout::nv_pv_ldm_group(u, lane);
#pragma unroll
        for (int pair = 0; pair < kDimTiles / 2; ++pair) {
          uint32_t b[4];
          load_matrix_x4(b,
                         values + kUnit * layout::nv_value_unit(kHeadDim, kRawValueRun, group,
                                                                layout::nv_pv_ldm_dim(pair, lane)));
          mma(&o[(2 * pair) * 4], pa, b[0], b[1]);
          mma(&o[(2 * pair + 1) * 4], pa, b[2], b[3]);
        }
      }
    }
  }

  __device__ GPU_INLINE void finish() {}  // o and l are final (the warpgroup path's are not)

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

// ---------------------------------------------------------------------------------------------
// The copies of one slice, by the threads of its group. Each thread serves one KV block of the
// slice, so it looks up one block id per slice, and always the same token (keys) or token group
// (values) of that block: its copies of a slice differ by compile-time offsets only.
struct SliceCopier {
  int block_part;  // which of the slice's blocks this thread serves
  int in_part;     // this thread's index among that block's threads
  int key_slot;    // the slot whose key units this thread copies (chunks key_chunk0 + 2j)
  int key_chunk0;
  int value_dim0;  // the value units this thread copies: dims value_dim0 + 2 kTV j, one group
  int value_sub;
  // Physical block ids of that part in the next two slices to copy, loaded two slices ahead so
  // that a copy never waits on the block table (a new block per slice with short blocks).
  int next_block;
  int block_after;

  __device__ GPU_INLINE void init(int thread_in_group) {
    block_part = thread_in_group / kThreadsPerPart;
    in_part = thread_in_group % kThreadsPerPart;
    // Unit r = in_part + j * kThreadsPerPart of the part, kThreadsPerPart = 2 kSlotsPerPart.
    key_chunk0 = in_part / kSlotsPerPart;
    key_slot = in_part % kSlotsPerPart;
    value_dim0 = in_part / kRawValueRun;
    value_sub = in_part % kRawValueRun;
  }

  __device__ GPU_INLINE int first_token(int t0) const { return t0 + block_part * kSlotsPerPart; }

  // The block id for the slice starting at t0 (never reading past the sequence's blocks).
  __device__ GPU_INLINE int block_of(const Work& w, int t0) const {
    const int first = first_token(t0);
    return first < w.end ? w.block_table[first / kBlockSize] : 0;
  }
  // After copying a slice: the next one's id moves up, the one after it is loaded.
  __device__ GPU_INLINE void advance(const Work& w, int t0_after) {
    next_block = block_after;
    block_after = block_of(w, t0_after);
  }

  // Issues the copies of the slice starting at t0 into the stage at `stage` (block id
  // next_block), laid out as Stages says. Units of tokens >= w.end are zero-filled without
  // reading; a value unit that straddles w.end is copied whole and trimmed once it has landed
  // (trim_values).
  template <class Stages>
  __device__ GPU_INLINE void copy_slice(const Args& a, const Work& w, int t0,
                                        uint32_t stage) const {
    const int slot0 = first_token(t0) % kBlockSize;
    const int64_t head_block = int64_t(next_block) * kNumKvHeads + w.kv_head;
    const int key_token = block_part * kSlotsPerPart + key_slot;
    const uint8_t* key_src = a.key_cache + head_block * (kHeadDim / kX) * kBlockSize * kUnit +
                             (int64_t(key_chunk0) * kBlockSize + slot0 + key_slot) * kUnit;
    const bool key_valid = t0 + key_token < w.end;
#pragma unroll
    for (int j = 0; j < kKeyCopies; ++j)
      copy16(Stages::key_copy(stage, key_chunk0, key_token, j),
             key_src + j * 2 * kBlockSize * kUnit, key_valid);
    const int group = block_part * kRawValueRun + value_sub;
    const uint8_t* value_src =
        a.value_cache + head_block * kHeadDim * kBlockSize * kKvBytes +
        (int64_t(value_dim0) * kBlockSize + slot0 + value_sub * kTV) * kKvBytes;
    const bool value_valid = t0 + group * kTV < w.end;
#pragma unroll
    for (int j = 0; j < kValueCopies; ++j)
      copy16(Stages::value_copy(stage, group, value_dim0, j),
             value_src + j * 2 * kTV * kBlockSize * kKvBytes, value_valid);
    if (per_token_scales(a)) {
      // Thread i of a block part copies the k scale (i < slots) or the v scale of one slot.
      const bool is_k = in_part < kSlotsPerPart;
      const int slot = is_k ? in_part : in_part - kSlotsPerPart;
      const int t = block_part * kSlotsPerPart + slot;
      const float* src = (is_k ? a.k_scale : a.v_scale) + head_block * kBlockSize + slot0 + slot;
      copy4(stage + Stages::kScales + 4 * ((is_k ? 0 : kSliceTokens) + t), src, t0 + t < w.end);
    }
  }
};

// The raw value unit straddling w.end holds slots past the context, which may be anything (NaN
// too): their probabilities are 0, but 0 x NaN is NaN in the mma, so they are zeroed in place once
// the slice has landed (only in the partition's last slice).
template <class Stages>
__device__ GPU_INLINE inline void trim_values(const Work& w, int t0, int thread_in_group,
                                              uint8_t* values) {
  const int valid = w.end - t0;  // tokens of the slice inside the context
  if (valid >= kSliceTokens || valid % kTV == 0) return;
  const int group = valid / kTV, keep = valid % kTV;
  for (int dim = thread_in_group; dim < kHeadDim; dim += kGroupThreads) {
    uint8_t* unit = values + Stages::value_unit(group, dim);
    for (int b = keep * kKvBytes; b < kUnit; ++b) unit[b] = 0;
  }
}

// Ordinary stores (the trim) and cp.async's writes are generic-proxy writes; a path whose matrix
// instructions read shared memory through the async proxy (wgmma) needs each writing thread to
// fence them before the barrier that publishes them (Path::kAsyncProxyReads).
__device__ GPU_INLINE inline void fence_async_proxy() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// This warp's group's slices through the group's ring (laid out as Path::Stages says): copies run
// kStages - 1 slices ahead of the compute; one group barrier per slice both publishes the landed
// slice and frees the oldest stage (the partition's last slice adds one after trimming).
template <class Path>
__device__ GPU_INLINE inline void process_partition(Path& st, const Args& a, const Work& w,
                                                    int split, uint8_t* smem) {
  using Stages = typename Path::Stages;
  constexpr int kRound = kTokenSplits * kSliceTokens;  // tokens between a group's slices
  uint8_t* ring = smem + split * Stages::kGroupBytes;
  const uint32_t base = shared_address(ring);
  const int first = w.begin + split * kSliceTokens;
  const int slices = w.end > first ? (w.end - first + kRound - 1) / kRound : 0;
  const int thread_in_group = int(gpu::thread_x()) - split * kGroupThreads;
  SliceCopier copier;
  copier.init(thread_in_group);
  // Every block id the prologue needs is requested before the first copy waits on one.
  int prologue_blocks[kStages + 1];
#pragma unroll
  for (int i = 0; i < kStages + 1; ++i) prologue_blocks[i] = copier.block_of(w, first + i * kRound);
#pragma unroll
  for (int i = 0; i < kStages - 1; ++i) {
    copier.next_block = prologue_blocks[i];
    if (i < slices) copier.copy_slice<Stages>(a, w, first + i * kRound, base + Stages::keys(i));
    commit_copies();  // one group per slice slot, empty or not, so the wait count stays constant
  }
  copier.next_block = prologue_blocks[kStages - 1];
  copier.block_after = prologue_blocks[kStages];

  for (int i = 0; i < slices; ++i) {
    const int t0 = first + i * kRound;
    const int stage = i % kStages;
    wait_copies<kStages - 2>();
    if constexpr (Path::kAsyncProxyReads) fence_async_proxy();
    sync_group(split);
    const int ahead = i + kStages - 1;
    if (ahead < slices) {
      copier.copy_slice<Stages>(a, w, first + ahead * kRound, base + Stages::keys(ahead % kStages));
      copier.advance(w, first + (ahead + 2) * kRound);
    }
    commit_copies();
    if (t0 + kSliceTokens > w.end) {
      trim_values<Stages>(w, t0, thread_in_group, ring + Stages::values(stage));
      if constexpr (Path::kAsyncProxyReads) fence_async_proxy();
      sync_group(split);
    }
    const float* scales = reinterpret_cast<const float*>(ring + Stages::scales(stage));
    // Tokens up to L - kQueryLen are visible to every query row.
    const bool edge =
        t0 + kSliceTokens > w.end || t0 + kSliceTokens - 1 > w.context_len - kQueryLen;
    st.process_slice(a, w, t0, edge, base + Stages::keys(stage), base + Stages::values(stage),
                     scales);
  }
  wait_copies<0>();
}

}  // namespace pa::nv
