// Tuning the launch rule's partition count: the matrix path's sm_90a cubins (cuModuleLoadData)
// launched with forced partition counts on small batches, where the count decides the time.
// Timing as pa_bench (bench_timing.h). For every (kv, Hkv, query length, batch, context) of
// block size 16, batch <= 32, Hq 64, head dim 128: P in {1, 2, 4, ..., 128} up to context / 64,
// and floor(f * SMs / (batch * Hkv)) for f = 1..4.
//   pa_sweep <cubin folder> <csv out>
#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "cuda_check.h"
#include "pa_cases.h"
#include "pa_module.h"

using namespace aotc;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pa_sweep <cubin folder> <csv out>\n");
    return 2;
  }
  const auto device = pa_bench::init_device();
  std::mt19937_64 rng(12345);
  auto b = pa_bench::allocate_buffers(32 * 8192, 8);
  pa_bench::fill_random(b.query, std::size_t(128) * 4 * 64 * 128 * 2, pa_ref::KvDtype::bf16, rng);
  FILE* csv = std::fopen(argv[2], "w");
  std::fprintf(csv, "kv,Hq,Hkv,qlen,page,B,ctx,partitions,us,TBps\n");
  std::printf("sweep: %s, %d SMs\n", device.name.c_str(), device.multiprocessors);
  int filled = -1;
  for (const auto& [cubin, shape] : pa_bench::tuning_variants(argv[1])) {
    pa_bench::fill_cache(b, shape.kv, &filled, rng);
    pa_bench::PaModule module(cubin, shape);
    for (int ctx : {2048, 8192})
      for (int batch : {1, 2, 4, 8, 16, 32}) {
        const int blocks_per_seq = ctx / shape.block_size;
        pa_bench::upload_uniform_batch(b, batch, ctx, shape.block_size, rng);
        const std::vector<int32_t> lens(std::size_t(batch), ctx);
        std::set<int> counts;
        for (int p = 1; p <= 128 && p <= ctx / 64; p *= 2) counts.insert(p);
        for (int f = 1; f <= 4; ++f)
          counts.insert(
              std::clamp(f * device.multiprocessors / (batch * shape.num_kv_heads), 1, ctx / 64));
        for (int partitions : counts) {
          const std::size_t workspace =
              std::size_t(batch) * shape.query_len * 64 * partitions * (shape.head_dim * 4 + 8);
          if (workspace > b.workspace_bytes) continue;
          const double us = pa_bench::median_launch_us(
              [&] { module.launch(b, batch, blocks_per_seq, partitions); });
          const double tbps = pa_ref::min_bytes_moved(shape, lens) / (us * 1e-6) / 1e12;
          std::fprintf(csv, "%s,64,%d,%d,16,%d,%d,%d,%.2f,%.4f\n",
                       shape.kv == pa_ref::KvDtype::bf16 ? "bf16" : "fp8", shape.num_kv_heads,
                       shape.query_len, batch, ctx, partitions, us, tbps);
        }
      }
  }
  std::fclose(csv);
  return 0;
}
