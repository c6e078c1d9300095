// One compiled pa_decode variant loaded from a cubin, and its launch: the same grid, block and
// partition count as the launch rule in build-matrix.json (mirrored here until the harness runs
// through the project's runtime and generated launcher).
#pragma once

#include <cuda.h>

#include <cstdint>
#include <string>

#include "pa_reference.h"

namespace aotc::pa_bench {

struct DeviceBuffers {
  CUdeviceptr out = 0, query = 0, key_cache = 0, value_cache = 0, block_tables = 0,
              context_lens = 0;
  CUdeviceptr k_scale = 0, v_scale = 0, workspace = 0;
};

struct LaunchShape {
  int num_seqs = 0;
  int max_blocks_per_seq = 0;
  int num_partitions = 1;
  int32_t scale_mode = 0;
  float scale = 0.0f;
};

// Makes device 0's primary context current; returns its multiprocessor count.
int init_device(std::string* name);

class PaModule {
 public:
  // Loads path/<variant>.cubin; exits with a message on failure.
  PaModule(const std::string& cubin_path, const pa_ref::Shape& shape);
  ~PaModule();
  PaModule(const PaModule&) = delete;
  PaModule& operator=(const PaModule&) = delete;

  // The launch rule's num_partitions for this shape on a device with `sm_count` SMs.
  int rule_partitions(int sm_count, int num_seqs, int max_context_len) const;
  // Workspace bytes the launch needs (launch rule's workspace_bytes).
  std::size_t workspace_bytes(int num_seqs, int num_partitions) const;
  // Attention, then the reduce when num_partitions > 1, on `stream`.
  void launch(const DeviceBuffers& b, const LaunchShape& l, CUstream stream) const;

  const pa_ref::Shape& shape() const { return shape_; }

 private:
  pa_ref::Shape shape_;
  CUmodule module_ = nullptr;
  CUfunction attention_ = nullptr;
  CUfunction reduce_ = nullptr;
};

}  // namespace aotc::pa_bench
