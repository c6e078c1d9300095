// One paged-attention decode step through the generated pa_decode launcher, the code objects
// embedded in this binary (docs/LAUNCHERS.md). With a GPU (AMD through HIP, NVIDIA through the
// CUDA driver) it runs the step on random inputs and checks the output against the float64 CPU
// reference; without one it says so and prints what it would have run.
#include <aotc/pa_decode_launcher.h>

#include <cstdio>
#include <string>
#include <vector>

#include "device_memory.h"
#include "pa_cases.h"
#include "pa_reference.h"

namespace pa = aotc::gen::pa_decode;
namespace ref = aotc::pa_ref;

namespace {

// The reference's description of the variant the key selects. fp8's flavour follows the target:
// e4m3fnuz on gfx942 and gfx90a, OCP e4m3fn elsewhere (kernels/pa_decode/pa_shape.h).
ref::Shape shape_of(const pa::Key& key, const std::string& arch) {
  const bool fnuz = arch.rfind("gfx942", 0) == 0 || arch.rfind("gfx90a", 0) == 0;
  ref::Shape s;
  s.kv = key.kv_dtype == pa::KvDtype::fp16   ? ref::KvDtype::fp16
         : key.kv_dtype == pa::KvDtype::bf16 ? ref::KvDtype::bf16
         : fnuz                              ? ref::KvDtype::fp8_e4m3fnuz
                                             : ref::KvDtype::fp8_e4m3fn;
  s.block_size = static_cast<int>(key.block_size);
  s.query_len = static_cast<int>(key.query_len);
  s.num_q_heads = static_cast<int>(key.heads[0]);
  s.num_kv_heads = static_cast<int>(key.heads[1]);
  s.head_dim = static_cast<int>(key.head_dim);
  return s;
}

void print_plan(const pa::Plan& plan) {
  std::printf("variant %s, workspace %llu bytes\n", plan.variant,
              static_cast<unsigned long long>(plan.workspace_bytes));
  for (const aotc::gen::StepPlan& step : plan.steps) {
    if (!step.run) {
      std::printf("  %s: skipped (its condition is false)\n", step.entry);
      continue;
    }
    std::printf("  %s: grid (%u, %u, %u), block (%u, %u, %u), %u bytes of dynamic shared memory\n",
                step.entry, step.grid[0], step.grid[1], step.grid[2], step.block[0], step.block[1],
                step.block[2], step.shared_bytes);
  }
}

pa::Args host_args(const ref::Problem& p, int max_context_len) {
  pa::Args a;
  a.scale = p.scale;
  a.num_seqs = p.num_seqs;
  a.max_blocks_per_seq = p.max_blocks_per_seq;
  a.max_context_len = max_context_len;
  a.kv_scale_mode = static_cast<std::int32_t>(p.scale_mode);
  return a;
}

// Copies one input to the device; records the allocation for release.
template <class T>
bool put(DeviceMemory& memory, const std::vector<T>& host, std::vector<void*>& owned, void** out,
         std::string* error) {
  const std::size_t bytes = host.empty() ? sizeof(T) : host.size() * sizeof(T);
  if (!memory.allocate(bytes, out, error)) return false;
  owned.push_back(*out);
  return host.empty() || memory.upload(*out, host.data(), bytes, error);
}

int run_on_gpu(aotc_runtime* runtime, const pa::Key& key, const ref::Problem& problem,
               int max_context_len) {
  DeviceMemory memory;
  std::string error;
  std::vector<void*> owned;
  pa::Args args = host_args(problem, max_context_len);
  const std::size_t out_elements = static_cast<std::size_t>(problem.num_seqs) *
                                   problem.shape.query_len * problem.shape.num_q_heads *
                                   problem.shape.head_dim;
  std::uint64_t workspace = 0;
  void* pointers[9] = {};
  bool ok = memory.open(aotc_runtime_backend(runtime), &error) &&
            put(memory, problem.query, owned, &pointers[0], &error) &&
            put(memory, problem.key_cache, owned, &pointers[1], &error) &&
            put(memory, problem.value_cache, owned, &pointers[2], &error) &&
            put(memory, problem.block_tables, owned, &pointers[3], &error) &&
            put(memory, problem.context_lens, owned, &pointers[4], &error) &&
            put(memory, problem.k_scale, owned, &pointers[5], &error) &&
            put(memory, problem.v_scale, owned, &pointers[6], &error) &&
            put(memory, std::vector<std::uint16_t>(out_elements, ref::nan_bits(problem.shape.kv)),
                owned, &pointers[7], &error);
  if (ok) {
    args.query = pointers[0];
    args.key_cache = pointers[1];
    args.value_cache = pointers[2];
    args.block_tables = static_cast<const std::int32_t*>(pointers[3]);
    args.context_lens = static_cast<const std::int32_t*>(pointers[4]);
    args.k_scale = static_cast<const float*>(pointers[5]);
    args.v_scale = static_cast<const float*>(pointers[6]);
    args.out = pointers[7];
    const aotc::gen::Status s = pa::workspace_bytes(key, args, &workspace);
    if (!s) error = s.message();
    ok = s.ok() && memory.allocate(workspace > 0 ? workspace : 1, &pointers[8], &error);
    if (ok) owned.push_back(pointers[8]);
    args.workspace = pointers[8];
  }
  std::vector<std::uint16_t> out(out_elements);
  if (ok) {
    const aotc::gen::Status s = pa::launch(nullptr, key, args);
    if (!s) error = s.message();
    ok = s.ok() && memory.synchronize(&error) &&
         memory.download(out.data(), args.out, out.size() * sizeof(std::uint16_t), &error);
  }
  for (void* p : owned) memory.release(p);
  if (!ok) {
    std::printf("decode step failed: %s\n", error.c_str());
    return 1;
  }
  const double err = ref::relative_error(ref::reference_attention(problem), out.data(),
                                         ref::io_is_fp16(problem.shape.kv));
  std::printf("ran one decode step; relative error against the float64 CPU reference: %.3g\n", err);
  return err < 2e-2 ? 0 : 1;
}

}  // namespace

int main() {
  // The variant this example runs: bf16 KV cache, block 16, one query token, 64 query heads over
  // 8 KV heads, head dim 128 -- or the first one built, if the build left that one out.
  pa::Key key{pa::KvDtype::bf16, 16, 1, {{64, 8}}, 128};
  if (!pa::is_supported(key)) key = pa::variants()[0].key;
  std::printf("pa_decode launcher: %zu variants, code objects %s\n", pa::variants().size(),
              pa::embedded() ? "embedded in this binary" : "loaded from the kernel directory");

  const std::vector<std::int32_t> context_lens{1, 77, 513, 2048};
  aotc_runtime* runtime = nullptr;
  aotc_device_info device{};
  aotc::gen::Status s = aotc::gen::Status::adopt(aotc_runtime_default(&runtime));
  if (s) s = aotc::gen::Status::adopt(aotc_current_device(runtime, &device));
  ref::CaseSpec spec;
  spec.shape = shape_of(key, s ? device.arch : "");
  spec.context_lens = context_lens;
  const ref::Problem problem = ref::make_problem(spec);
  const int max_context_len = 2048;

  if (!s) {
    // What a launch would have done, on a stand-in device with an H100's 132 multiprocessors.
    std::printf("no GPU found (%s)\nwould have run, on a device with 132 multiprocessors:\n",
                s.message().c_str());
    aotc::gen::Device stand_in;
    stand_in.multiprocessor_count = 132;
    stand_in.warp_size = 32;
    stand_in.max_shared_per_block = 232448;
    stand_in.vendor = aotc::gen::Vendor::nvidia;
    pa::Plan plan;
    const aotc::gen::Status planned =
        pa::plan(key, host_args(problem, max_context_len), stand_in, &plan);
    if (!planned) {
      std::printf("planning failed: %s\n", planned.message().c_str());
      return 1;
    }
    print_plan(plan);
    return 0;
  }
  std::printf("device %d: %s, %d multiprocessors\n", device.ordinal, device.arch,
              device.multiprocessor_count);
  aotc::gen::Device d{device.multiprocessor_count, device.warp_size, device.max_shared_per_block,
                      aotc_runtime_backend(runtime) == AOTC_BACKEND_HIP
                          ? aotc::gen::Vendor::amd
                          : aotc::gen::Vendor::nvidia};
  pa::Plan plan;
  if (pa::plan(key, host_args(problem, max_context_len), d, &plan)) print_plan(plan);
  return run_on_gpu(runtime, key, problem, max_context_len);
}
