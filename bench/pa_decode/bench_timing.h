// What the pa_decode benchmarks share: device buffers sized for the largest shape, random cache
// contents (finite, never zeros), and the timing method of the FlashInfer anchors
// (/work/shared/anchors/README.md): 3 warm-up launches, then the median of 21, each launch after a
// 256 MiB memset that flushes L2, CUDA events around the launch.
#pragma once

#include <cuda.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "pa_reference.h"

namespace aotc::pa_bench {

// Device 0's primary context made current; its name and multiprocessor count.
struct DeviceInfo {
  std::string name;
  int multiprocessors = 0;
};
DeviceInfo init_device();

// Every buffer a pa_decode launch reads or writes, sized for up to `max_tokens` context tokens of
// up to `max_kv_heads` KV heads (head dim <= 128, 2-byte elements) and 128 x 4 query rows of 64
// heads. Freed with the process.
struct DeviceBuffers {
  CUdeviceptr out = 0, query = 0, key_cache = 0, value_cache = 0, block_tables = 0,
              context_lens = 0, k_scale = 0, v_scale = 0, workspace = 0;
  std::size_t cache_bytes = 0, workspace_bytes = 0;
};
DeviceBuffers allocate_buffers(std::size_t max_tokens, int max_kv_heads);

// Fills `bytes` of device memory with random finite values of the dtype, magnitude 0.5..1.
void fill_random(CUdeviceptr dst, std::size_t bytes, pa_ref::KvDtype dtype, std::mt19937_64& rng);

// Median microseconds of 21 timed calls of `launch` (after 3 warm-ups), L2 flushed before each.
double median_launch_us(const std::function<void()>& launch);

// Device-to-device copy bandwidth (2 GiB; bytes read + written), TB/s: the memory ceiling.
double copy_tbps();

}  // namespace aotc::pa_bench
