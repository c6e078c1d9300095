// What one CTA of pa_decode_attention works on, and the paged KV cache addressing every path
// shares. Device-only.
#pragma once

#include "pa_decode/pa_shape.h"

namespace pa {

// Four warps (waves) per CTA on every target: 256 threads on AMD, 128 on NVIDIA. The launch rule
// says the same per vendor (build-matrix.json, launch.steps[0].block); the kernels check it.
constexpr int kWarps = 4;
constexpr int kThreads = kWarps * gpu::kWarpSize;
// The query tile is cut into tiles of 16 rows (the matrix instructions' M); the warps are laid out
// as kRowTiles x kTokenSplits: warps of one row tile take turns over the partition's token
// groups, each with its own online-softmax state, merged at the end.
constexpr int kRowTiles = kRows <= 16 ? 1 : kRows <= 32 ? 2 : 4;
constexpr int kTokenSplits = kWarps / kRowTiles;
static_assert(kTokenSplits >= 1, "more row tiles than warps");

struct Args {
  uint16_t* out;                // [num_seqs * kQueryLen, Hq, D]
  const uint16_t* query;        // [num_seqs * kQueryLen, Hq, D]
  const uint8_t* key_cache;     // [blocks, Hkv, D / kX, block, kX]
  const uint8_t* value_cache;   // [blocks, Hkv, D, block]
  const int32_t* block_tables;  // [num_seqs, max_blocks_per_seq]
  const int32_t* context_lens;  // [num_seqs]
  const float* k_scale;         // fp8 only; see kv_scale_mode
  const float* v_scale;
  int32_t kv_scale_mode;
  float scale_log2;  // softmax scale * log2(e) (* per-tensor fp8 k scale): exp2 domain
  float out_scale;   // per-tensor fp8 v scale, applied once to the output; else 1
  int32_t num_seqs;
  int32_t max_blocks_per_seq;
  int32_t num_partitions;
  float* workspace;  // num_partitions > 1: partial outputs, then (max, sum) pairs
};

// The slice of the problem one CTA owns: grid (partition, kv head, sequence).
struct Work {
  int seq, kv_head, partition;
  int context_len;  // L
  int begin, end;   // tokens [begin, end) of this partition, end <= L
  const int32_t* block_table;
};

__device__ GPU_INLINE inline Work make_work(const Args& a) {
  Work w;
  w.partition = int(gpu::block_x());
  w.kv_head = int(gpu::block_y());
  w.seq = int(gpu::block_z());
  w.block_table = a.block_tables + int64_t(w.seq) * a.max_blocks_per_seq;
  // A CTA's first copy waits on three dependent loads: the context length, the block ids its
  // partition of that length needs, the keys. The sequence's block-table row (up to one line per
  // thread) is requested into L2 now, before the length is known, so that the block-id loads hit
  // L2 instead of DRAM: at batch 1, each DRAM latency is a sizeable part of the kernel's time.
  const int line = int(gpu::thread_x()) * (128 / 4);
  if (line < a.max_blocks_per_seq) gpu::prefetch_l2(w.block_table + line);
  w.context_len = a.context_lens[w.seq];
  // Each sequence spreads its own length over all partitions (ragged batches stay balanced).
  int per = (w.context_len + a.num_partitions - 1) / a.num_partitions;
  per = (per + kPartitionAlign - 1) / kPartitionAlign * kPartitionAlign;
  w.begin = w.partition * per;
  w.end = w.begin + per < w.context_len ? w.begin + per : w.context_len;
  return w;
}

// Row r of the query tile is query token r / kGroup of query head kv_head * kGroup + r % kGroup:
// its index in query and out ([num_seqs * kQueryLen, Hq, D]).
__device__ GPU_INLINE inline int64_t query_row(const Work& w, int row) {
  return (int64_t(w.seq) * kQueryLen + row / kGroup) * kNumQHeads + w.kv_head * kGroup +
         row % kGroup;
}

// Last key position visible to query token i (causal among the new tokens).
__device__ GPU_INLINE inline int visible_limit(const Work& w, int query_token) {
  return w.context_len - kQueryLen + query_token;
}

// Byte address of the 16-byte key chunk (dims [chunk * kX, chunk * kX + kX)) of one token.
__device__ GPU_INLINE inline const uint8_t* key_chunk(const Args& a, const Work& w, int token,
                                                      int chunk) {
  int64_t block = w.block_table[token / kBlockSize];
  int64_t idx = ((block * kNumKvHeads + w.kv_head) * (kHeadDim / kX) + chunk) * kBlockSize +
                token % kBlockSize;
  return a.key_cache + idx * 16;
}

// Byte address of the 16-byte value chunk holding tokens [token, token + 16 / kKvBytes) of one
// dim; token must be a multiple of 16 / kKvBytes (chunks never straddle KV blocks).
__device__ GPU_INLINE inline const uint8_t* value_chunk(const Args& a, const Work& w, int token,
                                                        int dim) {
  int64_t block = w.block_table[token / kBlockSize];
  int64_t idx =
      ((block * kNumKvHeads + w.kv_head) * kHeadDim + dim) * kBlockSize + token % kBlockSize;
  return a.value_cache + idx * kKvBytes;
}

// A value chunk (tokens [token, token + 16 / kKvBytes) of one dim) with the elements of tokens
// >= L zeroed: slots past the context may hold anything (NaN too) and the matrix paths multiply
// whole chunks by probabilities that are 0 there, which only gives 0 for finite values.
__device__ GPU_INLINE inline gpu::u32x4 mask_value_chunk(gpu::u32x4 v, int token, int context_len) {
  constexpr int kPerWord = 4 / kKvBytes;
  if (token + 4 * kPerWord > context_len) {
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int valid =
          context_len - (token + e * kPerWord);  // elements of word e inside the context
      if (valid <= 0)
        v[e] = 0;
      else if (valid < kPerWord)
        v[e] &= 0xffffffffu >> (8 * kKvBytes * (kPerWord - valid));
    }
  }
  return v;
}

// Per-token-head fp8 dequantisation scale of one token; 1 otherwise (16-bit caches are not
// scaled, per-tensor scales are folded into Args::scale_log2 and Args::out_scale).
__device__ GPU_INLINE inline bool per_token_scales(const Args& a) {
  return kKvIsFp8 && a.kv_scale_mode == kScalePerTokenHead;
}
__device__ GPU_INLINE inline float token_scale(const Args& a, const Work& w, const float* scales,
                                               int token) {
  if (!per_token_scales(a)) return 1.0f;
  int64_t block = w.block_table[token / kBlockSize];
  return scales[(block * kNumKvHeads + w.kv_head) * kBlockSize + token % kBlockSize];
}

}  // namespace pa
