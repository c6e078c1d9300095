#include "pa_module.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <vector>

#include "cuda_check.h"
#include "pa_cases.h"

namespace aotc::pa_bench {

namespace {
// build-matrix.json, launch.steps[0] for nvidia: 4 warps, 768 bytes of shared memory per head dim.
constexpr unsigned kThreads = 128;
unsigned shared_bytes(const pa_ref::Shape& shape) { return 768u * unsigned(shape.head_dim); }
}  // namespace

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
  CU_CHECK(cuFuncSetAttribute(attention_, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                              int(shared_bytes(shape_))));
}

PaModule::~PaModule() {
  if (module_) cuModuleUnload(module_);
}

void PaModule::launch_attention(const DeviceBuffers& b, int num_seqs, int max_blocks_per_seq,
                                int partitions) const {
  int32_t scale_mode = 0;
  float scale = 0.088f;
  void* args[] = {(void*)&b.out,
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
                  &max_blocks_per_seq,
                  &partitions,
                  (void*)&b.workspace};
  CU_CHECK(cuLaunchKernel(attention_, unsigned(partitions), unsigned(shape_.num_kv_heads),
                          unsigned(num_seqs), kThreads, 1, 1, shared_bytes(shape_), nullptr, args,
                          nullptr));
}

void PaModule::launch(const DeviceBuffers& b, int num_seqs, int max_blocks_per_seq, int partitions,
                      ReduceLaunch reduce) const {
  launch_attention(b, num_seqs, max_blocks_per_seq, partitions);
  if (partitions == 1) return;
  void* args[] = {(void*)&b.out, (void*)&b.workspace, &num_seqs, &partitions};
  CUlaunchAttribute overlap{};
  overlap.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
  overlap.value.programmaticStreamSerializationAllowed = 1;
  CUlaunchConfig config{};
  config.gridDimX = unsigned(num_seqs * shape_.query_len * shape_.num_q_heads);
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = 128;
  config.blockDimY = config.blockDimZ = 1;
  config.attrs = &overlap;
  config.numAttrs = reduce == ReduceLaunch::overlapped ? 1 : 0;
  CU_CHECK(cuLaunchKernelEx(&config, reduce_, args, nullptr));
}

std::vector<std::pair<std::string, pa_ref::Shape>> tuning_variants(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(folder))
    if (e.path().extension() == ".cubin") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  std::vector<std::pair<std::string, pa_ref::Shape>> out;
  for (const std::string& name : names) {
    auto shape = pa_ref::parse_variant_name(name, false);
    if (shape && shape->num_q_heads == 64 && shape->block_size == 16 &&
        (shape->query_len == 1 || shape->query_len == 4) && shape->kv != pa_ref::KvDtype::fp16 &&
        shape->head_dim == 128)
      out.emplace_back(folder + "/" + name + ".cubin", *shape);
  }
  return out;
}

void fill_cache(const DeviceBuffers& b, pa_ref::KvDtype kv, int* filled, std::mt19937_64& rng) {
  if (int(kv) == *filled) return;
  fill_random(b.key_cache, b.cache_bytes, kv, rng);
  fill_random(b.value_cache, b.cache_bytes, kv, rng);
  *filled = int(kv);
}

void upload_uniform_batch(const DeviceBuffers& b, int batch, int context, int block_size,
                          std::mt19937_64& rng) {
  const int blocks_per_seq = context / block_size;
  std::vector<int32_t> table(std::size_t(batch) * blocks_per_seq);
  std::iota(table.begin(), table.end(), 0);
  std::shuffle(table.begin(), table.end(), rng);
  CU_CHECK(cuMemcpyHtoD(b.block_tables, table.data(), table.size() * 4));
  const std::vector<int32_t> lens(std::size_t(batch), context);
  CU_CHECK(cuMemcpyHtoD(b.context_lens, lens.data(), lens.size() * 4));
}

}  // namespace aotc::pa_bench
