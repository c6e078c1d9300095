// Compile-time shape of one pa_decode variant, from the -D defines that the build matrix's axes
// set (build-matrix.json: PA_KV_DTYPE, PA_BLOCK_SIZE, PA_QUERY_LEN, PA_NUM_Q_HEADS,
// PA_NUM_KV_HEADS, PA_HEAD_DIM), plus the element types they imply. Host-compilable, so the CPU
// reference and tests can include it with the same defines.
#pragma once

#include "gpu_portability.h"

#define PA_DTYPE_FP16 1
#define PA_DTYPE_BF16 2
#define PA_DTYPE_FP8 3

#ifndef PA_KV_DTYPE
#error "pa_decode: define PA_KV_DTYPE (PA_DTYPE_FP16, PA_DTYPE_BF16 or PA_DTYPE_FP8)"
#endif
#if !defined(PA_BLOCK_SIZE) || !defined(PA_QUERY_LEN) || !defined(PA_NUM_Q_HEADS) || \
    !defined(PA_NUM_KV_HEADS) || !defined(PA_HEAD_DIM)
#error "pa_decode: define PA_BLOCK_SIZE, PA_QUERY_LEN, PA_NUM_Q_HEADS, PA_NUM_KV_HEADS, PA_HEAD_DIM"
#endif

// fp8 e4m3 flavour: the one the target's hardware and frameworks use. OCP e4m3fn on NVIDIA and
// gfx950; e4m3fnuz on gfx942 (and gfx90a, which has no fp8 hardware but shares ROCm's MI300-era
// convention). PA_FP8_FNUZ=0/1 overrides.
#ifndef PA_FP8_FNUZ
#if defined(__gfx942__) || defined(__gfx90a__)
#define PA_FP8_FNUZ 1
#else
#define PA_FP8_FNUZ 0
#endif
#endif

namespace pa {

constexpr int kHeadDim = PA_HEAD_DIM;
constexpr int kBlockSize = PA_BLOCK_SIZE;
constexpr int kQueryLen = PA_QUERY_LEN;
constexpr int kNumQHeads = PA_NUM_Q_HEADS;
constexpr int kNumKvHeads = PA_NUM_KV_HEADS;
constexpr int kGroup = kNumQHeads / kNumKvHeads;
// Rows of one CTA's query tile: every query token of every query head sharing one KV head, so
// each KV byte is read once per (sequence, KV head). Row r is query token r / kGroup of query
// head kv_head * kGroup + r % kGroup.
constexpr int kRows = kGroup * kQueryLen;

static_assert(kNumQHeads % kNumKvHeads == 0,
              "PA_NUM_Q_HEADS must be a multiple of PA_NUM_KV_HEADS");
static_assert(kQueryLen >= 1 && kQueryLen <= 4, "PA_QUERY_LEN must be 1..4");
static_assert(kRows <= 64, "query heads per KV head x query length must be <= 64");
static_assert(kHeadDim == 64 || kHeadDim == 128 || kHeadDim == 256,
              "PA_HEAD_DIM must be 64, 128 or 256");
static_assert(kBlockSize % 16 == 0, "PA_BLOCK_SIZE must be a multiple of 16");

#if PA_KV_DTYPE == PA_DTYPE_FP16
constexpr int kKvBytes = 2;
constexpr bool kIoIsFp16 = true;  // query and output fp16
#elif PA_KV_DTYPE == PA_DTYPE_BF16
constexpr int kKvBytes = 2;
constexpr bool kIoIsFp16 = false;  // query and output bf16
#elif PA_KV_DTYPE == PA_DTYPE_FP8
constexpr int kKvBytes = 1;
constexpr bool kIoIsFp16 = false;  // fp8 KV with bf16 query and output (the aiter convention)
#else
#error "pa_decode: unknown PA_KV_DTYPE"
#endif
constexpr bool kKvIsFp8 = kKvBytes == 1;
constexpr bool kFp8Fnuz = PA_FP8_FNUZ != 0;

// Key cache layout [blocks, Hkv, D / kX, block, kX]: kX elements make 16 bytes, so one token's
// kX consecutive dims are one 16-byte load; value cache [blocks, Hkv, D, block].
constexpr int kX = 16 / kKvBytes;
static_assert(kHeadDim % (4 * kX) == 0, "head dim must hold whole 16-byte chunks per lane quad");

// One KV element (as stored) to float, before the fp8 scale.
GPU_HD float kv_to_float(uint32_t code) {
  if constexpr (kKvIsFp8) {
    return kFp8Fnuz ? gpu::fp8_e4m3fnuz_to_float(uint8_t(code))
                    : gpu::fp8_e4m3fn_to_float(uint8_t(code));
  } else if constexpr (kIoIsFp16) {
    return gpu::fp16_to_float(uint16_t(code));
  } else {
    return gpu::bf16_to_float(uint16_t(code));
  }
}

// Query / output element conversions.
GPU_HD float io_to_float(uint16_t bits) {
  return kIoIsFp16 ? gpu::fp16_to_float(bits) : gpu::bf16_to_float(bits);
}
GPU_HD uint16_t float_to_io(float f) {
  return kIoIsFp16 ? gpu::float_to_fp16(f) : gpu::float_to_bf16(f);
}

// Partitions (split-K) cover whole multiples of this many tokens, so every path's token group
// (at most 64) stays inside one partition.
constexpr int kPartitionAlign = 64;

// kv_scale_mode values (runtime argument).
constexpr int kScalePerTensor = 0;     // k_scale[0], v_scale[0]
constexpr int kScalePerTokenHead = 1;  // k_scale[(block * Hkv + kv_head) * block_size + slot]

}  // namespace pa
