// Timing on the GPU, on the FlashInfer anchors' shapes (/work/shared/anchors, copied into
// docs/KERNEL_NOTES.md): Hq 64, Hkv 4/8, query length 1/4, KV block 16/64, batch 1/8/32/128,
// every sequence of context 2048 or 8192, blocks scattered, random data (never zeros).
// Each point: 3 warm-up launches, then the median of 21, each after a 256 MiB memset that flushes
// L2, timed with events around attention + reduce. TB/s = (K + V of all tokens + Q + O) / time.
//
//   pa_time <cubin folder> <csv out>            the launch rule's partition count
//   pa_time <cubin folder> <csv out> sweep      block size 16, B <= 32: also the partition
//                                               counts floor(f * SMs / (B * Hkv)), f = 1..4
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "cuda_check.h"
#include "pa_cases.h"
#include "pa_module.h"

using namespace aotc;

namespace {

constexpr int kMaxTokens = 128 * 8192;
constexpr int kMaxKvHeads = 8;
constexpr int kHeadDim = 128;

// Fills `bytes` of device memory with random finite values of the dtype, magnitude 0.5..1.
void fill_random(CUdeviceptr dst, std::size_t bytes, pa_ref::KvDtype dtype, std::mt19937_64& rng) {
  std::vector<uint16_t> pattern(32u << 20);
  for (uint16_t& w : pattern) {
    const uint16_t r = uint16_t(rng());
    switch (dtype) {
      case pa_ref::KvDtype::bf16:
        w = uint16_t((r & 0x807f) | 0x3f00);
        break;
      case pa_ref::KvDtype::fp16:
        w = uint16_t((r & 0x83ff) | 0x3800);
        break;
      default:
        w = uint16_t((r & 0x8787) | 0x3030);
        break;  // two e4m3 codes, exponent 6
    }
  }
  const std::size_t chunk = pattern.size() * 2;
  for (std::size_t off = 0; off < bytes; off += chunk)
    CU_CHECK(cuMemcpyHtoD(dst + off, pattern.data(), std::min(chunk, bytes - off)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && std::string(argv[3]) == "sweep")) {
    std::fprintf(stderr, "usage: pa_time <cubin folder> <csv out> [sweep]\n");
    return 2;
  }
  const bool sweep = argc == 4;
  std::string device;
  const int sms = pa_bench::init_device(&device);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(argv[1]))
    if (e.path().extension() == ".cubin") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());

  std::mt19937_64 rng(12345);
  const std::size_t cache_bytes = std::size_t(kMaxTokens) * kMaxKvHeads * kHeadDim * 2;
  pa_bench::DeviceBuffers b;
  CU_CHECK(cuMemAlloc(&b.key_cache, cache_bytes));
  CU_CHECK(cuMemAlloc(&b.value_cache, cache_bytes));
  const std::size_t q_bytes = std::size_t(128) * 4 * 64 * kHeadDim * 2;
  CU_CHECK(cuMemAlloc(&b.query, q_bytes));
  CU_CHECK(cuMemAlloc(&b.out, q_bytes));
  CU_CHECK(cuMemAlloc(&b.block_tables, std::size_t(kMaxTokens / 16) * 4));
  CU_CHECK(cuMemAlloc(&b.context_lens, 128 * 4));
  CU_CHECK(cuMemAlloc(&b.k_scale, 16));
  CU_CHECK(cuMemAlloc(&b.v_scale, 16));
  const float unit_scales[4] = {0.25f, 0.25f, 0.25f, 0.25f};
  CU_CHECK(cuMemcpyHtoD(b.k_scale, unit_scales, 16));
  CU_CHECK(cuMemcpyHtoD(b.v_scale, unit_scales, 16));
  CU_CHECK(cuMemAlloc(&b.workspace, std::size_t(256) << 20));
  CUdeviceptr flush = 0;
  const std::size_t flush_bytes = std::size_t(256) << 20;
  CU_CHECK(cuMemAlloc(&flush, flush_bytes));
  fill_random(b.query, q_bytes, pa_ref::KvDtype::bf16, rng);
  CUevent start, stop;
  CU_CHECK(cuEventCreate(&start, CU_EVENT_DEFAULT));
  CU_CHECK(cuEventCreate(&stop, CU_EVENT_DEFAULT));

  FILE* csv = std::fopen(argv[2], "w");
  std::fprintf(csv, "path,kv,Hq,Hkv,qlen,page,B,ctx,us,TBps,partitions,ctas,rule\n");
  std::printf("device: %s, %d SMs\n%-5s %-4s %3s %4s %4s %5s %5s %8s %6s %4s\n", device.c_str(),
              sms, "kv", "Hkv", "q", "page", "B", "ctx", "", "us", "TB/s", "P");
  int filled_dtype = -1;
  for (const std::string& name : names) {
    auto shape = pa_ref::parse_variant_name(name, false);
    if (!shape || shape->num_q_heads != 64 || (shape->query_len != 1 && shape->query_len != 4) ||
        shape->kv == pa_ref::KvDtype::fp16 || shape->head_dim != kHeadDim)
      continue;
    if (int(shape->kv) != filled_dtype) {
      fill_random(b.key_cache, cache_bytes, shape->kv, rng);
      fill_random(b.value_cache, cache_bytes, shape->kv, rng);
      filled_dtype = int(shape->kv);
    }
    pa_bench::PaModule module(std::string(argv[1]) + "/" + name + ".cubin", *shape);
    if (sweep && shape->block_size != 16) continue;
    for (int ctx : {2048, 8192})
      for (int batch : {1, 8, 32, 128}) {
        if (sweep && batch > 32) continue;
        const int blocks_per_seq = ctx / shape->block_size;
        std::vector<int32_t> table(std::size_t(batch) * blocks_per_seq);
        std::iota(table.begin(), table.end(), 0);
        std::shuffle(table.begin(), table.end(), rng);
        CU_CHECK(cuMemcpyHtoD(b.block_tables, table.data(), table.size() * 4));
        std::vector<int32_t> lens(std::size_t(batch), ctx);
        CU_CHECK(cuMemcpyHtoD(b.context_lens, lens.data(), lens.size() * 4));
        const int rule = module.rule_partitions(sms, batch, ctx);
        std::vector<int> candidates{rule};
        if (sweep)
          for (int f = 1; f <= 4; ++f) {
            const int p =
                std::max(1, std::min((ctx + 255) / 256, f * sms / (batch * shape->num_kv_heads)));
            if (std::find(candidates.begin(), candidates.end(), p) == candidates.end())
              candidates.push_back(p);
          }
        for (int partitions : candidates) {
          pa_bench::LaunchShape l;
          l.num_seqs = batch;
          l.max_blocks_per_seq = blocks_per_seq;
          l.num_partitions = partitions;
          l.scale = 0.088f;
          std::vector<float> us;
          for (int it = 0; it < 24; ++it) {
            CU_CHECK(cuMemsetD8Async(flush, uint8_t(it), flush_bytes, nullptr));
            CU_CHECK(cuEventRecord(start, nullptr));
            module.launch(b, l, nullptr);
            CU_CHECK(cuEventRecord(stop, nullptr));
            CU_CHECK(cuEventSynchronize(stop));
            float ms = 0.0f;
            CU_CHECK(cuEventElapsedTime(&ms, start, stop));
            if (it >= 3) us.push_back(ms * 1000.0f);
          }
          std::sort(us.begin(), us.end());
          const double median = us[us.size() / 2];
          const double tbps = pa_ref::min_bytes_moved(*shape, lens) / (median * 1e-6) / 1e12;
          const char* kv = shape->kv == pa_ref::KvDtype::bf16 ? "bf16" : "fp8";
          std::fprintf(csv, "%s,%s,64,%d,%d,%d,%d,%d,%.2f,%.4f,%d,%d,%d\n",
                       std::filesystem::path(argv[1]).filename().c_str(), kv, shape->num_kv_heads,
                       shape->query_len, shape->block_size, batch, ctx, median, tbps, partitions,
                       partitions * shape->num_kv_heads * batch, partitions == rule);
          std::printf("%-5s %-4d %3d %4d %4d %5d %5s %8.2f %6.3f %4d%s\n", kv, shape->num_kv_heads,
                      shape->query_len, shape->block_size, batch, ctx, "", median, tbps, partitions,
                      partitions == rule ? " rule" : "");
        }
      }
  }
  std::fclose(csv);
  return 0;
}
