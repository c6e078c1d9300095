// pa_decode timed through the path users take: the launcher `aotc build` generated (key ->
// variant, the launch rule's partition count and shapes, argument packing) and the aotc runtime.
// The CUDA driver API only allocates memory and times (bench_timing.h: median of 21 after 3
// warm-ups, L2 flushed before each launch, events around launch(), attention + reduce).
// Random data, blocks scattered (a random permutation of the cache), every sequence of the same
// context length. TB/s = (K + V of all context tokens + Q + O) / time (pa_ref::min_bytes_moved).
//
//   pa_bench anchors <csv> [kernel dir]  FlashInfer's anchor shapes (/work/shared/anchors): Hq 64,
//                                        Hkv 4/8, query length 1/4, block 16/64, batch
//                                        1/8/32/128, context 2048/8192, bf16 and fp8 KV
//   pa_bench seed <csv> [kernel dir]     the seed's test matrix (aiter's pa_decode_gluon test):
//                                        block 16/64 x bf16/fp16/fp8 x context 2048/4096/8192 x
//                                        batch 1..128 x query length 1-4 x heads (64,4), (64,8),
//                                        head dim 128; prints mean TB/s per block size x dtype
//   pa_bench copy                        device-to-device copy TB/s (the memory ceiling)
//   pa_bench shape <kv> <block> <query len> <Hkv> <batch> <context> <kernel dir>
//                                        one point (for a profiler: ncu -k pa_decode_attention)
// Without a kernel dir the code objects must be embedded (pa_decode_embed.S linked in).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "aotc/pa_decode_launcher.h"
#include "aotc/runtime.h"
#include "bench_timing.h"
#include "cuda_check.h"
#include "pa_cases.h"

namespace pa = aotc::gen::pa_decode;
using aotc::pa_ref::KvDtype;

namespace {

struct Point {
  KvDtype kv;
  int block_size, query_len, num_kv_heads, batch, context;
};

const char* dtype_name(KvDtype kv) {
  return kv == KvDtype::bf16 ? "bf16" : kv == KvDtype::fp16 ? "fp16" : "fp8";
}

std::vector<Point> anchor_points() {
  std::vector<Point> points;
  for (KvDtype kv : {KvDtype::bf16, KvDtype::fp8_e4m3fn})
    for (int block : {16, 64})
      for (int q : {1, 4})
        for (int hkv : {4, 8})
          for (int ctx : {2048, 8192})
            for (int batch : {1, 8, 32, 128}) points.push_back({kv, block, q, hkv, batch, ctx});
  return points;
}

std::vector<Point> seed_points() {
  std::vector<Point> points;
  for (KvDtype kv : {KvDtype::bf16, KvDtype::fp16, KvDtype::fp8_e4m3fn})
    for (int block : {16, 64})
      for (int q = 1; q <= 4; ++q)
        for (int hkv : {4, 8})
          for (int ctx : {2048, 4096, 8192})
            for (int batch : {1, 2, 4, 8, 16, 32, 64, 128})
              points.push_back({kv, block, q, hkv, batch, ctx});
  return points;
}

pa::Key key_of(const Point& p) {
  pa::Key key;
  key.kv_dtype = p.kv == KvDtype::bf16   ? pa::KvDtype::bf16
                 : p.kv == KvDtype::fp16 ? pa::KvDtype::fp16
                                         : pa::KvDtype::fp8;
  key.block_size = p.block_size;
  key.query_len = p.query_len;
  key.heads = {64, p.num_kv_heads};
  key.head_dim = 128;
  return key;
}

void check(const aotc::gen::Status& s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc >= 2 ? argv[1] : "";
  if (mode == "copy" && argc == 2) {
    aotc::pa_bench::init_device();
    std::printf("copy TB/s %.3f\n", aotc::pa_bench::copy_tbps());
    return 0;
  }
  std::vector<Point> points;
  const char* csv_path = "/dev/null";
  const char* kernel_dir = nullptr;
  if ((mode == "anchors" || mode == "seed") && (argc == 3 || argc == 4)) {
    points = mode == "anchors" ? anchor_points() : seed_points();
    csv_path = argv[2];
    if (argc == 4) kernel_dir = argv[3];
  } else if (mode == "shape" && argc == 9) {
    const std::string kv = argv[2];
    points.push_back({kv == "bf16"   ? KvDtype::bf16
                      : kv == "fp16" ? KvDtype::fp16
                                     : KvDtype::fp8_e4m3fn,
                      std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]),
                      std::atoi(argv[6]), std::atoi(argv[7])});
    kernel_dir = argv[8];
  } else {
    std::fprintf(stderr,
                 "usage: pa_bench anchors|seed <csv out> [kernel dir] | pa_bench copy |\n"
                 "       pa_bench shape <kv> <block> <qlen> <Hkv> <batch> <ctx> <kernel dir>\n");
    return 2;
  }
  const auto device_info = aotc::pa_bench::init_device();
  if (kernel_dir) aotc::gen::set_kernel_dir(kernel_dir);
  if (!kernel_dir && !pa::embedded()) {
    std::fprintf(stderr, "no kernel dir given and no code objects embedded\n");
    return 2;
  }
  aotc_runtime* runtime = nullptr;
  aotc_device_info info{};
  aotc::gen::Status s = aotc::gen::Status::adopt(aotc_runtime_default(&runtime));
  if (s) s = aotc::gen::Status::adopt(aotc_current_device(runtime, &info));
  check(s, "aotc runtime");
  const aotc::gen::Device device{info.multiprocessor_count, info.warp_size,
                                 info.max_shared_per_block, aotc::gen::Vendor::nvidia};

  const std::size_t max_tokens = 128 * 8192;
  auto b = aotc::pa_bench::allocate_buffers(max_tokens, 8);
  std::mt19937_64 rng(12345);
  aotc::pa_bench::fill_random(b.query, std::size_t(128) * 4 * 64 * 128 * 2, KvDtype::bf16, rng);

  FILE* csv = std::fopen(csv_path, "w");
  if (!csv) {
    std::fprintf(stderr, "%s: cannot write\n", csv_path);
    return 2;
  }
  std::fprintf(csv, "kv,Hq,Hkv,qlen,page,B,ctx,us,TBps,partitions,variant\n");
  std::printf("%s: %s, %d SMs, %zu points\n", mode.c_str(), device_info.name.c_str(),
              device_info.multiprocessors, points.size());
  std::map<std::string, std::pair<double, int>> tbps_by_class;  // "bs16 bf16" -> sum, count
  int filled = -1;
  for (const Point& p : points) {
    if (int(p.kv) != filled) {
      aotc::pa_bench::fill_random(b.key_cache, b.cache_bytes, p.kv, rng);
      aotc::pa_bench::fill_random(b.value_cache, b.cache_bytes, p.kv, rng);
      filled = int(p.kv);
    }
    const int blocks_per_seq = p.context / p.block_size;
    std::vector<int32_t> table(std::size_t(p.batch) * blocks_per_seq);
    std::iota(table.begin(), table.end(), 0);
    std::shuffle(table.begin(), table.end(), rng);
    CU_CHECK(cuMemcpyHtoD(b.block_tables, table.data(), table.size() * 4));
    const std::vector<int32_t> lens(std::size_t(p.batch), p.context);
    CU_CHECK(cuMemcpyHtoD(b.context_lens, lens.data(), lens.size() * 4));

    const pa::Key key = key_of(p);
    pa::Args args;
    args.out = reinterpret_cast<void*>(b.out);
    args.query = reinterpret_cast<const void*>(b.query);
    args.key_cache = reinterpret_cast<const void*>(b.key_cache);
    args.value_cache = reinterpret_cast<const void*>(b.value_cache);
    args.block_tables = reinterpret_cast<const int32_t*>(b.block_tables);
    args.context_lens = reinterpret_cast<const int32_t*>(b.context_lens);
    args.k_scale = reinterpret_cast<const float*>(b.k_scale);
    args.v_scale = reinterpret_cast<const float*>(b.v_scale);
    args.kv_scale_mode = 0;
    args.scale = 0.088f;
    args.num_seqs = p.batch;
    args.max_blocks_per_seq = blocks_per_seq;
    args.max_context_len = p.context;
    args.workspace = reinterpret_cast<void*>(b.workspace);
    pa::Plan plan;
    check(pa::plan(key, args, device, &plan), "plan");
    if (plan.workspace_bytes > b.workspace_bytes) {
      std::fprintf(stderr, "%s needs %llu workspace bytes\n", plan.variant,
                   static_cast<unsigned long long>(plan.workspace_bytes));
      return 1;
    }
    const double us =
        aotc::pa_bench::median_launch_us([&] { check(pa::launch(nullptr, key, args), "launch"); });
    aotc::pa_ref::Shape shape;
    shape.kv = p.kv;
    shape.block_size = p.block_size;
    shape.query_len = p.query_len;
    shape.num_kv_heads = p.num_kv_heads;
    const double tbps = aotc::pa_ref::min_bytes_moved(shape, lens) / (us * 1e-6) / 1e12;
    if (mode == "shape")
      std::printf("%s: %.2f us, %.3f TB/s, %u partitions\n", plan.variant, us, tbps,
                  plan.steps[0].grid[0]);
    std::fprintf(csv, "%s,64,%d,%d,%d,%d,%d,%.2f,%.4f,%u,%s\n", dtype_name(p.kv), p.num_kv_heads,
                 p.query_len, p.block_size, p.batch, p.context, us, tbps, plan.steps[0].grid[0],
                 plan.variant);
    auto& cls = tbps_by_class["bs" + std::to_string(p.block_size) + " " + dtype_name(p.kv)];
    cls.first += tbps;
    cls.second += 1;
  }
  std::fclose(csv);
  if (mode == "seed") {
    std::printf("mean TB/s over the seed's test matrix (%zu points)\n%-6s %8s %8s %8s\n",
                points.size(), "block", "bf16", "fp16", "fp8");
    for (int block : {16, 64}) {
      std::printf("%-6d", block);
      for (const char* kv : {"bf16", "fp16", "fp8"}) {
        const auto& cls = tbps_by_class["bs" + std::to_string(block) + " " + kv];
        std::printf(" %8.3f", cls.first / cls.second);
      }
      std::printf("\n");
    }
  }
  return 0;
}
