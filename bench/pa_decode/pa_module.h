// One compiled pa_decode variant loaded from a cubin and launched with a partition count of the
// caller's choosing, which the generated launcher (it applies the launch rule) does not take:
// for tuning the rule (pa_sweep). The grid, block and shared memory mirror build-matrix.json's
// nvidia launch rule.
#pragma once

#include <cuda.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench_timing.h"
#include "pa_reference.h"

namespace aotc::pa_bench {

class PaModule {
 public:
  // Loads <cubin_path>; exits with a message on failure (a bench program).
  PaModule(const std::string& cubin_path, const pa_ref::Shape& shape);
  ~PaModule();
  PaModule(const PaModule&) = delete;
  PaModule& operator=(const PaModule&) = delete;

  // How the reduce follows the attention: a plain launch (stream order), or one with programmatic
  // stream serialization, whose CTAs start before the attention ends and wait for it in-kernel.
  enum class ReduceLaunch { plain, overlapped };

  // Attention with `partitions` partitions, then the reduce when partitions > 1.
  void launch(const DeviceBuffers& b, int num_seqs, int max_blocks_per_seq, int partitions,
              ReduceLaunch reduce = ReduceLaunch::plain) const;
  // The attention step alone (its partial outputs are left in the workspace).
  void launch_attention(const DeviceBuffers& b, int num_seqs, int max_blocks_per_seq,
                        int partitions) const;

 private:
  pa_ref::Shape shape_;
  CUmodule module_ = nullptr;
  CUfunction attention_ = nullptr;
  CUfunction reduce_ = nullptr;
};

// The cubins of `folder` the hand-launching tools (pa_sweep, pa_launch_overhead) time, with their
// shapes, by name: block 16, Hq 64, query length 1 or 4, bf16 or fp8 KV, head dim 128.
std::vector<std::pair<std::string, pa_ref::Shape>> tuning_variants(const std::string& folder);

// Random K and V of `kv` in the whole cache, unless `*filled` says they already are (then kept).
void fill_cache(const DeviceBuffers& b, pa_ref::KvDtype kv, int* filled, std::mt19937_64& rng);

// `batch` sequences of `context` tokens each, their blocks a random permutation of the cache.
void upload_uniform_batch(const DeviceBuffers& b, int batch, int context, int block_size,
                          std::mt19937_64& rng);

}  // namespace aotc::pa_bench
