// Paged-attention decode: softmax(scale * Q K^T, causal among the new tokens) V over a paged KV
// cache, split over the context into partitions merged by pa_decode_reduce. Semantics, layouts
// and the launch rule: kernels/pa_decode/README.md. One source for amdgcn and nvptx.
#include "gpu_portability.h"
#include "pa_decode/pa_work.h"

// Path choice: the vendor's matrix path unless PA_FORCE_GENERIC=1. The NVIDIA path stages tiles
// in shared memory for the whole CTA; the others load each warp's operands from the cache.
//
// NVIDIA: with PA_NV_WGMMA=1 on sm_90a, query tiles of more than 32 rows (kRowTiles == 4) go
// through the warpgroup path (wgmma, pa_wgmma_nv.h); everything else through the mma.sync path.
// Both stage tiles in shared memory for the whole CTA. Off by default until a GPU run has checked
// and timed it (KERNEL_NOTES, optimisation 12; the GPU test's *-wgmma builds turn it on).
#ifndef PA_NV_WGMMA
#define PA_NV_WGMMA 0
#endif
#if defined(__NVPTX__) && !PA_FORCE_GENERIC
#define PA_STAGED_NV 1
#if PA_NV_WGMMA && defined(__CUDA_ARCH_FEAT_SM90_ALL) && \
    PA_NUM_Q_HEADS / PA_NUM_KV_HEADS * PA_QUERY_LEN > 32
#include "pa_decode/pa_wgmma_nv.h"
namespace pa {
using Path = nv::WarpgroupPath;
}
#else
#include "pa_decode/pa_staged_nv.h"
namespace pa {
using Path = nv::StagedPath;
}
#endif
#elif defined(__AMDGCN__) && !PA_FORCE_GENERIC
#define PA_STAGED_NV 0
#include "pa_decode/pa_path_mfma_amd.h"
namespace pa {
using Path = MfmaAmdPath;
}
#else
#define PA_STAGED_NV 0
#include "pa_decode/pa_path_generic.h"
namespace pa {
using Path = GenericPath;
}
#endif

namespace pa {

// Merging the token splits: warps of the upper half hand their state to the lower half through
// shared memory, halving until split 0 holds the tile's state. Each lane reads back exactly the
// elements the same lane of its partner wrote, so no layout knowledge is needed here.
template <int Slots>
struct MergeShared {
  float o[Slots][kRowTiles][Path::kNumO][gpu::kWarpSize];
  float ml[Slots][kRowTiles][Path::kNumRowSlots][2][gpu::kWarpSize];
};
template <>
struct MergeShared<0> {};

using SplitMerge = MergeShared<kTokenSplits / 2>;

__device__ GPU_INLINE inline void rescale_merge(Path& st, const float* o2, const float* m2,
                                                const float* l2) {
  float a1[Path::kNumRowSlots], a2[Path::kNumRowSlots];
#pragma unroll
  for (int r = 0; r < Path::kNumRowSlots; ++r) {
    float mn = __builtin_fmaxf(st.m[r], m2[r]);
    a1[r] = mn == -__builtin_inff() ? 0.0f : gpu::exp2(st.m[r] - mn);
    a2[r] = mn == -__builtin_inff() ? 0.0f : gpu::exp2(m2[r] - mn);
    st.l[r] = st.l[r] * a1[r] + l2[r] * a2[r];
    st.m[r] = mn;
  }
#pragma unroll
  for (int i = 0; i < Path::kNumO; ++i)
    st.o[i] = st.o[i] * a1[Path::row_slot_of(i)] + o2[i] * a2[Path::row_slot_of(i)];
}

template <class Merge>  // a template so the discarded branch is not checked for one split
__device__ GPU_INLINE inline void merge_splits(Path& st, Merge& sh, int row_tile, int split) {
  if constexpr (kTokenSplits > 1) {
    const int lane = int(gpu::lane_id());
#pragma unroll
    for (int half = kTokenSplits / 2; half >= 1; half /= 2) {
      gpu::sync_threads();
      if (split >= half && split < 2 * half) {
        const int slot = split - half;
#pragma unroll
        for (int i = 0; i < Path::kNumO; ++i) sh.o[slot][row_tile][i][lane] = st.o[i];
#pragma unroll
        for (int r = 0; r < Path::kNumRowSlots; ++r) {
          sh.ml[slot][row_tile][r][0][lane] = st.m[r];
          sh.ml[slot][row_tile][r][1][lane] = st.l[r];
        }
      }
      gpu::sync_threads();
      if (split < half) {
        float o2[Path::kNumO], m2[Path::kNumRowSlots], l2[Path::kNumRowSlots];
#pragma unroll
        for (int i = 0; i < Path::kNumO; ++i) o2[i] = sh.o[split][row_tile][i][lane];
#pragma unroll
        for (int r = 0; r < Path::kNumRowSlots; ++r) {
          m2[r] = sh.ml[split][row_tile][r][0][lane];
          l2[r] = sh.ml[split][row_tile][r][1][lane];
        }
        rescale_merge(st, o2, m2, l2);
      }
    }
  }
}

// Writes the tile: the normalised output when there is one partition, else the partition's
// normalised partial output and its (max, sum) for pa_decode_reduce.
__device__ GPU_INLINE inline void write_tile(const Path& st, const Args& a, const Work& w) {
  const int64_t rows_total = int64_t(a.num_seqs) * kQueryLen * kNumQHeads;
  st.for_each_output([&](int i, int row_in_tile, int dim) {
    const int row = st.row0 + row_in_tile;
    if (row >= kRows) return;
    const int slot = Path::row_slot_of(i);
    const float l = st.l[slot];
    const float value = l > 0.0f ? st.o[i] / l * a.out_scale : 0.0f;
    const int64_t q_row = query_row(w, row);
    if (a.num_partitions == 1) {
      a.out[q_row * kHeadDim + dim] = float_to_io(value);
    } else {
      const int64_t entry = q_row * a.num_partitions + w.partition;
      a.workspace[entry * kHeadDim + dim] = value;
      if (dim == 0) {
        float* ml = a.workspace + rows_total * a.num_partitions * kHeadDim + entry * 2;
        ml[0] = st.m[slot];
        ml[1] = l;
      }
    }
  });
}

#if PA_STAGED_NV
// The partition through the CTA's shared-memory stages (pa_staged_nv.h).
__device__ GPU_INLINE inline void attention(const Args& a, const Work& w, int row_tile, int split) {
  using Stages = Path::Stages;
  extern __shared__ __attribute__((aligned(Stages::kAlign))) uint8_t smem[];
  // Fewer threads or less shared memory than the layout needs would silently compute garbage.
  if (gpu::block_dim_x() != kThreads ||
      nv::dynamic_shared_bytes() < kTokenSplits * Stages::kGroupBytes)
    __builtin_trap();
  // Past 128 bytes, alignment is the declaration's request: checked, not assumed.
  if constexpr (Stages::kAlign > 128)
    if ((nv::shared_address(smem) & (Stages::kAlign - 1)) != 0) __builtin_trap();
  Path st;
  st.init(a, w, row_tile);
  nv::process_partition(st, a, w, split, smem);
  st.finish();
  merge_splits(st, *reinterpret_cast<SplitMerge*>(smem), row_tile, split);
  if (split == 0) write_tile(st, a, w);
}
#else
// Each warp walks its own token groups, loading its operands from the cache.
__device__ GPU_INLINE inline void attention(const Args& a, const Work& w, int row_tile, int split) {
  __shared__ union {
    typename Path::Shared path;
    SplitMerge merge;
  } shared;
  Path st;
  st.init(a, w, row_tile, shared.path);
  gpu::sync_threads();
  constexpr int kStride = kTokenSplits * Path::kGroupTokens;
  const int warp = int(gpu::thread_x()) / gpu::kWarpSize;
  for (int g0 = w.begin + split * Path::kGroupTokens; g0 < w.end; g0 += kStride)
    st.process_group(a, w, g0, g0 + kStride, shared.path, warp);
  merge_splits(st, shared.merge, row_tile, split);
  if (split == 0) write_tile(st, a, w);
}
#endif

}  // namespace pa

// AMD: one workgroup of 4 waves per CU is enough in flight for this memory-bound loop, so let
// the compiler use the whole register file (its default aims at 4 waves per SIMD and spills).
#if defined(__AMDGCN__)
#define PA_ATTENTION_ATTRS \
  __attribute__((amdgpu_flat_work_group_size(pa::kThreads, pa::kThreads), amdgpu_waves_per_eu(1)))
#else
// CTAs per SM the registers are budgeted for; the launch rule's shared memory and partition count
// assume the default (a tuning knob for the bench, with PA_NV_STAGES).
#ifndef PA_NV_CTAS_PER_SM
#define PA_NV_CTAS_PER_SM 2
#endif
#define PA_ATTENTION_ATTRS __attribute__((launch_bounds(pa::kThreads, PA_NV_CTAS_PER_SM)))
#endif

extern "C" __global__ PA_ATTENTION_ATTRS void pa_decode_attention(
    uint16_t* out, const uint16_t* query, const uint8_t* key_cache, const uint8_t* value_cache,
    const int32_t* block_tables, const int32_t* context_lens, const float* k_scale,
    const float* v_scale, int32_t kv_scale_mode, float scale, int32_t num_seqs,
    int32_t max_blocks_per_seq, int32_t num_partitions, float* workspace) {
  using namespace pa;
  const bool tensor_scales = kKvIsFp8 && kv_scale_mode == kScalePerTensor;
  const Args a{out,
               query,
               key_cache,
               value_cache,
               block_tables,
               context_lens,
               k_scale,
               v_scale,
               kv_scale_mode,
               scale * 1.4426950408889634f * (tensor_scales ? k_scale[0] : 1.0f),
               tensor_scales ? v_scale[0] : 1.0f,
               num_seqs,
               max_blocks_per_seq,
               num_partitions,
               workspace};
  // The reduce may be launched to overlap this kernel (launch rule: "overlap_previous"): its CTAs
  // then start as SMs free up and wait for this grid's end, which hides the launch between the
  // two. Allowed from the start: by the time the last CTA has started, none is left waiting for
  // a slot the reduce could take.
  gpu::allow_dependent_launch();
  const Work w = make_work(a);
  const int warp = int(gpu::thread_x()) / gpu::kWarpSize;
  attention(a, w, warp % kRowTiles, warp / kRowTiles);
}

// Merges the partitions of one output row (sequence, query token, query head):
// out = sum_p w_p o_p / sum_p w_p with w_p = l_p 2^(m_p - max m).
extern "C" __global__ __attribute__((launch_bounds(128))) void pa_decode_reduce(
    uint16_t* out, const float* workspace, int32_t num_seqs, int32_t num_partitions) {
  using namespace pa;
  gpu::wait_for_prior_grid();  // the attention's partial outputs, when launched to overlap it
  const int64_t row = gpu::block_x();
  const int64_t rows_total = int64_t(num_seqs) * kQueryLen * kNumQHeads;
  const float* o = workspace + row * num_partitions * kHeadDim;
  const float* ml = workspace + rows_total * num_partitions * kHeadDim + row * num_partitions * 2;
  float mx = -__builtin_inff();
  for (int p = 0; p < num_partitions; ++p)
    if (ml[2 * p + 1] > 0.0f) mx = __builtin_fmaxf(mx, ml[2 * p]);
  for (int dim = int(gpu::thread_x()); dim < kHeadDim; dim += 128) {
    float acc = 0.0f, total = 0.0f;
    for (int p = 0; p < num_partitions; ++p) {
      const float l = ml[2 * p + 1];
      if (l <= 0.0f) continue;
      const float weight = l * gpu::exp2(ml[2 * p] - mx);
      acc += weight * o[p * kHeadDim + dim];
      total += weight;
    }
    out[row * kHeadDim + dim] = float_to_io(total > 0.0f ? acc / total : 0.0f);
  }
}
