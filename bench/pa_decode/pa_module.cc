#include "pa_module.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

#include "cuda_check.h"

namespace aotc::pa_bench {

namespace {
int ceil_div(int a, int b) { return (a + b - 1) / b; }
}  // namespace

int init_device(std::string* name) {
  CU_CHECK(cuInit(0));
  CUdevice dev;
  CU_CHECK(cuDeviceGet(&dev, 0));
  CUcontext ctx;
  CU_CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
  CU_CHECK(cuCtxSetCurrent(ctx));
  char buf[256] = {};
  CU_CHECK(cuDeviceGetName(buf, sizeof buf, dev));
  *name = buf;
  int sms = 0;
  CU_CHECK(cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
  return sms;
}

PaModule::PaModule(const std::string& cubin_path, const pa_ref::Shape& shape) : shape_(shape) {
  std::ifstream in(cubin_path, std::ios::binary);
  std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (image.empty()) {
    std::fprintf(stderr, "%s: cannot read the cubin\n", cubin_path.c_str());
    std::exit(2);
  }
  CU_CHECK(cuModuleLoadData(&module_, image.data()));
  CU_CHECK(cuModuleGetFunction(&attention_, module_, "pa_decode_attention"));
  CU_CHECK(cuModuleGetFunction(&reduce_, module_, "pa_decode_reduce"));
}

PaModule::~PaModule() {
  if (module_) cuModuleUnload(module_);
}

// build-matrix.json, launch.values.num_partitions.
int PaModule::rule_partitions(int sm_count, int num_seqs, int max_context_len) const {
  return std::min(std::max(1, ceil_div(max_context_len, 256)),
                  std::max(1, sm_count / (num_seqs * shape_.num_kv_heads)));
}

// build-matrix.json, launch.workspace_bytes.
std::size_t PaModule::workspace_bytes(int num_seqs, int num_partitions) const {
  return std::size_t(num_seqs) * shape_.query_len * shape_.num_q_heads * num_partitions *
         (shape_.head_dim * 4 + 8);
}

void PaModule::launch(const DeviceBuffers& b, const LaunchShape& l, CUstream stream) const {
  int32_t scale_mode = l.scale_mode, num_seqs = l.num_seqs, max_blocks = l.max_blocks_per_seq,
          partitions = l.num_partitions;
  float scale = l.scale;
  void* attention_args[] = {(void*)&b.out,
                            (void*)&b.query,
                            (void*)&b.key_cache,
                            (void*)&b.value_cache,
                            (void*)&b.block_tables,
                            (void*)&b.context_lens,
                            (void*)&b.k_scale,
                            (void*)&b.v_scale,
                            &scale_mode,
                            &scale,
                            &num_seqs,
                            &max_blocks,
                            &partitions,
                            (void*)&b.workspace};
  CU_CHECK(cuLaunchKernel(attention_, unsigned(partitions), unsigned(shape_.num_kv_heads),
                          unsigned(num_seqs), 256, 1, 1, 0, stream, attention_args, nullptr));
  if (partitions > 1) {
    void* reduce_args[] = {(void*)&b.out, (void*)&b.workspace, &num_seqs, &partitions};
    CU_CHECK(cuLaunchKernel(reduce_, unsigned(num_seqs * shape_.query_len * shape_.num_q_heads), 1,
                            1, 128, 1, 1, 0, stream, reduce_args, nullptr));
  }
}

}  // namespace aotc::pa_bench
