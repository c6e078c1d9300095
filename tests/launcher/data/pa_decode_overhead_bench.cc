// Host-side launch overhead of the generated pa_decode launcher on a real variant
// (pa_decode.kv-bf16.bs16.q1.h64x8.d128: 14 arguments, a rule that reads
// device.multiprocessor_count) against a raw cuLaunchKernel of the same cubin with the same
// arguments, and against the runtime's aotc_launch with the same packed buffer. One sequence of
// 16 tokens, so num_partitions is 1 and launch() runs pa_decode_attention only (grid 1x8x1).
// Correctness is checked elsewhere (tests/kernels/gpu); this times the host side only.
// Built against `aotc build build-matrix.json -o out`'s launcher; run on an NVIDIA GPU:
//   pa_decode_overhead_bench <out>/sm_90a/pa_decode.kv-bf16.bs16.q1.h64x8.d128.cubin [launches]
// Exit status 1 when generated - raw exceeds 0.5 us (medians).
#include <aotc/pa_decode_launcher.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "overhead_timing.h"

namespace pa = aotc::gen::pa_decode;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <pa_decode.kv-bf16.bs16.q1.h64x8.d128.cubin> [launches]\n",
                 argv[0]);
    return 2;
  }
  const int launches = argc > 2 ? std::atoi(argv[2]) : 20000;
  aotc_runtime* runtime = nullptr;
  aotc_device_info device{};
  aotc::gen::Status s = aotc::gen::Status::adopt(aotc_runtime_default(&runtime));
  if (s)
    s = aotc::gen::Status::adopt(aotc_current_device(runtime, &device));  // makes a context current
  overhead::Cuda cuda{};
  if (!s || aotc_runtime_backend(runtime) != AOTC_BACKEND_CUDA || !overhead::open_cuda(&cuda)) {
    std::printf("needs an NVIDIA GPU and the CUDA driver: %s\n", s.message().c_str());
    return 2;
  }
  // Generous zeroed buffers: one 16-token block per sequence reads far less than 1 MiB of each.
  constexpr std::size_t k_buffer = 1 << 20;
  unsigned long long out = 0, query = 0, key_cache = 0, value_cache = 0, block_tables = 0,
                     context_lens = 0, k_scale = 0, v_scale = 0, workspace = 0;
  for (unsigned long long* b : {&out, &query, &key_cache, &value_cache, &block_tables,
                                &context_lens, &k_scale, &v_scale, &workspace}) {
    if (cuda.mem_alloc(b, k_buffer) || cuda.memset_d8(*b, 0, k_buffer)) return 2;
  }
  constexpr int k_context_len = 16;
  const float one = 1.0f;
  unsigned one_bits = 0;
  std::memcpy(&one_bits, &one, 4);
  if (cuda.memset_d32(context_lens, k_context_len, 1) || cuda.memset_d32(k_scale, one_bits, 1) ||
      cuda.memset_d32(v_scale, one_bits, 1)) {
    return 2;
  }

  const pa::Key key{pa::KvDtype::bf16, 16, 1, {{64, 8}}, 128};
  pa::Args args;
  args.out = reinterpret_cast<void*>(out);
  args.query = reinterpret_cast<const void*>(query);
  args.key_cache = reinterpret_cast<const void*>(key_cache);
  args.value_cache = reinterpret_cast<const void*>(value_cache);
  args.block_tables = reinterpret_cast<const int32_t*>(block_tables);
  args.context_lens = reinterpret_cast<const int32_t*>(context_lens);
  args.k_scale = reinterpret_cast<const float*>(k_scale);
  args.v_scale = reinterpret_cast<const float*>(v_scale);
  args.kv_scale_mode = 0;
  args.scale = 0.088f;
  args.num_seqs = 1;
  args.max_blocks_per_seq = 1;
  args.max_context_len = k_context_len;
  args.workspace = reinterpret_cast<void*>(workspace);
  std::uint64_t workspace_bytes = 0;
  s = pa::workspace_bytes(key, args, &workspace_bytes);
  pa::Plan plan;
  const aotc::gen::Device attributes{device.multiprocessor_count, device.warp_size,
                                     device.max_shared_per_block};
  if (s) s = pa::plan(key, args, attributes, &plan);
  if (!s || workspace_bytes > k_buffer || plan.steps[1].run) {
    std::printf("unexpected plan: %s (workspace %llu bytes, reduce step %s)\n", s.message().c_str(),
                static_cast<unsigned long long>(workspace_bytes),
                plan.steps[1].run ? "runs" : "skipped");
    return 2;
  }
  const aotc::gen::StepPlan& step = plan.steps[0];

  const std::vector<char> cubin = overhead::read_file(argv[1]);
  void* module = nullptr;
  void* function = nullptr;
  if (cubin.empty() || cuda.module_load_data(&module, cubin.data()) ||
      cuda.module_get_function(&function, module, "pa_decode_attention")) {
    std::printf("cannot load %s\n", argv[1]);
    return 2;
  }
  // The attention step's arguments, as the rule lists them, packed at the kernel's natural
  // offsets (aotc_launch checks this layout against the cubin's own parameter records).
  std::int32_t partitions = 1;
  void* params[] = {&args.out,         &args.query,        &args.key_cache,
                    &args.value_cache, &args.block_tables, &args.context_lens,
                    &args.k_scale,     &args.v_scale,      &args.kv_scale_mode,
                    &args.scale,       &args.num_seqs,     &args.max_blocks_per_seq,
                    &partitions,       &args.workspace};
  const aotc_arg_layout layout[] = {{0, 8},  {8, 8},  {16, 8}, {24, 8}, {32, 8}, {40, 8}, {48, 8},
                                    {56, 8}, {64, 4}, {68, 4}, {72, 4}, {76, 4}, {80, 4}, {88, 8}};
  constexpr std::size_t k_args = sizeof layout / sizeof layout[0];
  alignas(16) unsigned char packed[96];
  for (std::size_t i = 0; i < k_args; ++i)
    std::memcpy(packed + layout[i].offset, params[i], layout[i].size);
  aotc_launch_config config{{step.grid[0], step.grid[1], step.grid[2]},
                            {step.block[0], step.block[1], step.block[2]},
                            step.shared_bytes,
                            nullptr};
  const auto raw = [&] {
    return cuda.launch_kernel(function, config.grid[0], config.grid[1], config.grid[2],
                              config.block[0], config.block[1], config.block[2], 0, nullptr, params,
                              nullptr) == 0;
  };
  const auto generated = [&] { return pa::launch(nullptr, key, args).ok(); };
  aotc_image image{"sm_90a", "cubin", cubin.data(), cubin.size(), nullptr};
  aotc_module* aotc_mod = nullptr;
  aotc_kernel* kernel = nullptr;
  s = aotc::gen::Status::adopt(aotc_module_create(runtime, "bench", &image, 1, &aotc_mod));
  if (s)
    s = aotc::gen::Status::adopt(aotc_module_get_kernel(aotc_mod, "pa_decode_attention", &kernel));
  const auto through_runtime = [&] {
    aotc_status st = aotc_launch(kernel, &config, packed, layout, k_args);
    aotc_status_free(st);
    return st == nullptr;
  };
  const auto device_query = [&] {
    aotc_device_info info;
    aotc_status st = aotc_current_device(runtime, &info);
    aotc_status_free(st);
    return st == nullptr;
  };
  if (s) s = pa::launch(nullptr, key, args);  // first launches load: not timed
  if (s) s = aotc::gen::Status::adopt(aotc_launch(kernel, &config, packed, layout, k_args));
  if (!s || !raw() || cuda.synchronize() != 0) {
    std::printf("launch failed: %s\n", s.message().c_str());
    return 2;
  }
  const std::vector<std::vector<double>> us =
      overhead::time_interleaved(launches, cuda, {raw, generated, through_runtime, device_query});
  if (us.empty()) return 2;
  std::printf(
      "%s (14 args, grid %ux%ux%u, block %u), device %s, %d calls each, interleaved in blocks of "
      "%d;\n"
      "host us per call:\n",
      plan.variant, config.grid[0], config.grid[1], config.grid[2], config.block[0], device.arch,
      launches, overhead::k_drain_every);
  const double difference =
      overhead::report(us, {"raw cuLaunchKernel", "generated launch()", "runtime aotc_launch()",
                            "aotc_current_device()"});
  return difference <= 0.5 ? 0 : 1;
}
