// Where the time of a small batch goes: for the block-16 anchor variants (Hq 64, head dim 128) at
// batch 1, 8 and 32 with the launch rule's partition count, the timing method's floor (one and two
// empty kernels), the attention step alone, attention + reduce launched plainly, and attention +
// reduce launched with programmatic stream serialization (the reduce's CTAs start before the
// attention ends and wait in-kernel). The last two must give bit-identical outputs: `same` says.
// Timing as pa_bench (bench_timing.h).
//   pa_launch_overhead <cubin folder> <csv out>
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "cuda_check.h"
#include "pa_cases.h"
#include "pa_module.h"

using namespace aotc;

namespace {

// An empty kernel through the driver's PTX JIT: the floor of the timing method for one launch.
constexpr char kEmptyPtx[] =
    ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry empty()\n{\nret;\n}\n";

// build-matrix.json's nvidia num_partitions.
int rule_partitions(int ctx, int batch, int kv_heads, int sms) {
  return std::min(std::max(1, (ctx + 255) / 256), std::max(1, 2 * sms / (batch * kv_heads)));
}

std::vector<uint16_t> read_out(const pa_bench::DeviceBuffers& b, std::size_t elements) {
  std::vector<uint16_t> host(elements);
  CU_CHECK(cuMemcpyDtoH(host.data(), b.out, elements * 2));
  return host;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pa_launch_overhead <cubin folder> <csv out>\n");
    return 2;
  }
  const auto device = pa_bench::init_device();
  CUmodule empty_module = nullptr;
  CUfunction empty = nullptr;
  CU_CHECK(cuModuleLoadData(&empty_module, kEmptyPtx));
  CU_CHECK(cuModuleGetFunction(&empty, empty_module, "empty"));
  auto launch_empty = [&] {
    CU_CHECK(cuLaunchKernel(empty, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr));
  };
  const double one_empty = pa_bench::median_launch_us(launch_empty);
  const double two_empty = pa_bench::median_launch_us([&] {
    launch_empty();
    launch_empty();
  });
  std::printf("launch overhead: %s, %d SMs; empty kernel %.2f us, two %.2f us\n",
              device.name.c_str(), device.multiprocessors, one_empty, two_empty);

  std::mt19937_64 rng(12345);
  auto b = pa_bench::allocate_buffers(32 * 8192, 8);
  pa_bench::fill_random(b.query, std::size_t(128) * 4 * 64 * 128 * 2, pa_ref::KvDtype::bf16, rng);
  FILE* csv = std::fopen(argv[2], "w");
  std::fprintf(csv,
               "kv,Hkv,qlen,B,ctx,partitions,empty_us,two_empty_us,attention_us,plain_us,"
               "overlapped_us,same\n");
  std::printf("%-5s %3s %4s %3s %5s %3s %9s %8s %10s %5s\n", "kv", "Hkv", "qlen", "B", "ctx", "P",
              "attention", "plain", "overlapped", "same");
  int filled = -1;
  for (const auto& [cubin, shape] : pa_bench::tuning_variants(argv[1])) {
    pa_bench::fill_cache(b, shape.kv, &filled, rng);
    pa_bench::PaModule module(cubin, shape);
    for (int ctx : {2048, 8192})
      for (int batch : {1, 8, 32}) {
        const int blocks_per_seq = ctx / shape.block_size;
        pa_bench::upload_uniform_batch(b, batch, ctx, shape.block_size, rng);
        const int p = rule_partitions(ctx, batch, shape.num_kv_heads, device.multiprocessors);
        using Reduce = pa_bench::PaModule::ReduceLaunch;
        const std::size_t out_elements =
            std::size_t(batch) * shape.query_len * 64 * std::size_t(shape.head_dim);
        module.launch(b, batch, blocks_per_seq, p, Reduce::plain);
        const auto plain_out = read_out(b, out_elements);
        CU_CHECK(cuMemsetD8(b.out, 0, out_elements * 2));
        module.launch(b, batch, blocks_per_seq, p, Reduce::overlapped);
        const bool same = read_out(b, out_elements) == plain_out;
        const double attention = pa_bench::median_launch_us(
            [&] { module.launch_attention(b, batch, blocks_per_seq, p); });
        const double plain = pa_bench::median_launch_us(
            [&] { module.launch(b, batch, blocks_per_seq, p, Reduce::plain); });
        const double overlapped = pa_bench::median_launch_us(
            [&] { module.launch(b, batch, blocks_per_seq, p, Reduce::overlapped); });
        const char* kv = shape.kv == pa_ref::KvDtype::bf16 ? "bf16" : "fp8";
        std::fprintf(csv, "%s,%d,%d,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%d\n", kv, shape.num_kv_heads,
                     shape.query_len, batch, ctx, p, one_empty, two_empty, attention, plain,
                     overlapped, same ? 1 : 0);
        std::printf("%-5s %3d %4d %3d %5d %3d %9.2f %8.2f %10.2f %5s\n", kv, shape.num_kv_heads,
                    shape.query_len, batch, ctx, p, attention, plain, overlapped,
                    same ? "yes" : "NO");
      }
  }
  std::fclose(csv);
  cuModuleUnload(empty_module);
  return 0;
}
