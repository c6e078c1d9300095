// pa_decode on an NVIDIA GPU through the project's own path: the launcher `aotc build` generated
// (variant lookup, launch rule, argument packing) and the aotc runtime (code-object choice,
// loading, launching). Nothing here loads a module or launches a kernel itself; the CUDA driver
// API is used only for device memory.
//
// Every variant the launcher lists (`variants()`) runs the correctness battery of
// tests/kernels/pa_cases.h (batch 1..128, ragged context lengths up to 32781, NaN in every cache
// slot outside the contexts, -1 in unused block-table entries, fp8 with both scale modes) on fresh
// random inputs, with output and workspace poisoned with NaN before every launch, against the
// float64 reference: relative error <= 1e-2 for fp16/bf16 caches, <= 3e-2 for fp8.
//
// One executable per aotc build (tests/kernels/gpu/builds.txt), because each build's launcher
// defines the same aotc::gen::pa_decode. Compile definitions: PA_GPU_BUILD (the build's name) and
// PA_GPU_KERNEL_DIR (where the code objects are read from; empty when they are embedded).
// $PA_GPU_SEED fixes the seed; otherwise it is fresh and printed.
#include <aotc/pa_decode_launcher.h>
#include <cuda.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pa_cases.h"
#include "pa_reference.h"

namespace pa = aotc::gen::pa_decode;
namespace ref = aotc::pa_ref;

namespace {

std::string cu_error(CUresult rc) {
  const char* name = "?";
  const char* text = "?";
  cuGetErrorName(rc, &name);
  cuGetErrorString(rc, &text);
  return std::string(name) + ": " + text;
}

#define REQUIRE_CU(call)                         \
  do {                                           \
    const CUresult rc_ = (call);                 \
    INFO(#call << " failed: " << cu_error(rc_)); \
    REQUIRE(rc_ == CUDA_SUCCESS);                \
  } while (0)

// One device allocation, freed on scope exit.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) : bytes_(std::max<std::size_t>(bytes, 16)) {
    REQUIRE_CU(cuMemAlloc(&ptr_, bytes_));
  }
  template <class T>
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size() * sizeof(T)) {
    if (!host.empty()) REQUIRE_CU(cuMemcpyHtoD(ptr_, host.data(), host.size() * sizeof(T)));
  }
  ~DeviceBuffer() { cuMemFree(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(ptr_)); }
  CUdeviceptr ptr() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }

 private:
  CUdeviceptr ptr_ = 0;
  std::size_t bytes_ = 0;
};

struct Prepared {
  ref::Problem problem;
  std::vector<double> reference;
};

// Case generation and the float64 reference for one variant, started on other cores.
std::vector<std::future<Prepared>> prepare(const ref::Shape& shape, std::uint64_t seed) {
  std::vector<std::future<Prepared>> futures;
  for (const ref::CaseSpec& spec : ref::standard_cases(shape, seed))
    futures.push_back(std::async(std::launch::async, [spec] {
      Prepared p{ref::make_problem(spec), {}};
      p.reference = ref::reference_attention(p.problem);
      return p;
    }));
  return futures;
}

// NVIDIA devices use OCP e4m3fn for fp8 (kernels/pa_decode/README.md).
ref::Shape shape_of(const char* variant) {
  const std::optional<ref::Shape> s = ref::parse_variant_name(variant, /*fp8_fnuz=*/false);
  INFO("variant " << variant);
  REQUIRE(s.has_value());
  return *s;
}

const char* dtype_name(ref::KvDtype kv) {
  switch (kv) {
    case ref::KvDtype::fp16:
      return "fp16";
    case ref::KvDtype::bf16:
      return "bf16";
    default:
      return "fp8";
  }
}

// What one launch did and how close it came.
struct RunResult {
  double error = 0.0;
  int partitions = 0;
};

RunResult run_case(const pa::Key& key, const char* variant, const Prepared& prep,
                   const aotc::gen::Device& device) {
  const ref::Problem& p = prep.problem;
  DeviceBuffer query(p.query), key_cache(p.key_cache), value_cache(p.value_cache);
  DeviceBuffer block_tables(p.block_tables), context_lens(p.context_lens);
  DeviceBuffer k_scale(p.k_scale), v_scale(p.v_scale);
  DeviceBuffer out(prep.reference.size() * sizeof(std::uint16_t));

  pa::Args args;
  args.out = out.get();
  args.query = query.get();
  args.key_cache = key_cache.get();
  args.value_cache = value_cache.get();
  args.block_tables = static_cast<const std::int32_t*>(block_tables.get());
  args.context_lens = static_cast<const std::int32_t*>(context_lens.get());
  args.k_scale = static_cast<const float*>(k_scale.get());
  args.v_scale = static_cast<const float*>(v_scale.get());
  args.kv_scale_mode = static_cast<std::int32_t>(p.scale_mode);
  args.scale = p.scale;
  args.num_seqs = p.num_seqs;
  args.max_blocks_per_seq = p.max_blocks_per_seq;
  args.max_context_len = *std::max_element(p.context_lens.begin(), p.context_lens.end());

  std::uint64_t workspace_bytes = 0;
  aotc::gen::Status s = pa::workspace_bytes(key, args, &workspace_bytes);
  INFO(variant << ": " << s.message());
  REQUIRE(s.ok());
  DeviceBuffer workspace(workspace_bytes);
  args.workspace = workspace.get();
  pa::Plan plan;
  s = pa::plan(key, args, device, &plan);
  INFO(variant << ": plan: " << s.message());
  REQUIRE(s.ok());
  REQUIRE(std::string(plan.variant) == variant);

  // Poisoned, so that anything the kernels leave unwritten or read before writing shows as NaN.
  REQUIRE_CU(cuMemsetD16(out.ptr(), ref::nan_bits(p.shape.kv), prep.reference.size()));
  REQUIRE_CU(cuMemsetD32(workspace.ptr(), 0x7fc00000u, workspace.bytes() / 4));
  s = pa::launch(nullptr, key, args);
  INFO(variant << ": launch: " << s.message());
  REQUIRE(s.ok());
  REQUIRE_CU(cuCtxSynchronize());
  std::vector<std::uint16_t> host(prep.reference.size());
  REQUIRE_CU(cuMemcpyDtoH(host.data(), out.ptr(), host.size() * sizeof(std::uint16_t)));
  return {ref::relative_error(prep.reference, host.data(), ref::io_is_fp16(p.shape.kv)),
          static_cast<int>(plan.steps[0].grid[0])};
}

// Per family (kv dtype and block size): what ran and the largest error.
struct Family {
  int variants = 0;
  int cases = 0;
  int failures = 0;
  std::set<int> partitions;
  double worst = 0.0;
};

std::uint64_t seed_from_environment() {
  if (const char* s = std::getenv("PA_GPU_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

}  // namespace

TEST_CASE(
    "pa_decode through the generated launcher and the runtime matches the float64 reference on "
    "every variant") {
  REQUIRE_CU(cuInit(0));
  CUdevice cu_device = 0;
  CUcontext context = nullptr;
  REQUIRE_CU(cuDeviceGet(&cu_device, 0));
  REQUIRE_CU(cuDevicePrimaryCtxRetain(&context, cu_device));
  REQUIRE_CU(cuCtxSetCurrent(context));  // the runtime launches into the calling thread's context

  // The loading mode this build was made for.
  const std::string kernel_dir = PA_GPU_KERNEL_DIR;
  if (kernel_dir.empty()) {
    REQUIRE(pa::embedded());
  } else {
    REQUIRE_FALSE(pa::embedded());
    aotc::gen::set_kernel_dir(kernel_dir.c_str());
  }

  aotc_runtime* runtime = nullptr;
  aotc_device_info info{};
  aotc::gen::Status s = aotc::gen::Status::adopt(aotc_runtime_default(&runtime));
  if (s) s = aotc::gen::Status::adopt(aotc_current_device(runtime, &info));
  INFO(s.message());
  REQUIRE(s.ok());
  REQUIRE(aotc_runtime_backend(runtime) == AOTC_BACKEND_CUDA);
  const aotc::gen::Device device{info.multiprocessor_count, info.warp_size,
                                 info.max_shared_per_block, aotc::gen::Vendor::nvidia};

  const std::uint64_t seed = seed_from_environment();
  const auto variants = pa::variants();
  REQUIRE(variants.size() > 0);
  std::printf(
      "build %s (%s), device %s with %d SMs, seed %llu, %zu variants\n", PA_GPU_BUILD,
      kernel_dir.empty() ? "code objects embedded" : ("code objects from " + kernel_dir).c_str(),
      info.arch, info.multiprocessor_count, static_cast<unsigned long long>(seed), variants.size());

  // Cases of the next variants are prepared on other cores while this one runs on the GPU.
  constexpr std::size_t k_lookahead = 4;
  std::vector<std::vector<std::future<Prepared>>> pending(variants.size());
  for (std::size_t i = 0; i < std::min(k_lookahead, variants.size()); ++i)
    pending[i] = prepare(shape_of(variants[i].name), seed + i);

  std::map<std::string, Family> families;
  std::map<std::string, double> worst_by_dtype;
  int total_cases = 0, total_failures = 0;
  for (std::size_t vi = 0; vi < variants.size(); ++vi) {
    const pa::VariantInfo& v = variants[vi];
    if (vi + k_lookahead < variants.size())
      pending[vi + k_lookahead] =
          prepare(shape_of(variants[vi + k_lookahead].name), seed + vi + k_lookahead);
    const ref::Shape shape = shape_of(v.name);
    const double tolerance = ref::kv_bytes(shape.kv) == 1 ? 3e-2 : 1e-2;
    Family& family = families[std::string("kv-") + dtype_name(shape.kv) + ".bs" +
                              std::to_string(shape.block_size)];
    ++family.variants;
    double worst = 0.0;
    std::string partitions;
    for (auto& future : pending[vi]) {
      const Prepared prep = future.get();
      const RunResult r = run_case(v.key, v.name, prep, device);
      INFO(v.name << ", batch " << prep.problem.num_seqs << ", " << r.partitions
                  << " partitions: relative error " << r.error << " (tolerance " << tolerance
                  << ")");
      CHECK(r.error <= tolerance);
      const bool ok = r.error <= tolerance;
      const double e = std::isnan(r.error) ? INFINITY : r.error;
      worst = std::max(worst, e);
      ++family.cases;
      ++total_cases;
      family.failures += ok ? 0 : 1;
      total_failures += ok ? 0 : 1;
      family.partitions.insert(r.partitions);
      partitions +=
          (partitions.empty() ? "" : ",") + std::to_string(r.partitions) + (ok ? "" : "(FAIL)");
    }
    pending[vi].clear();
    family.worst = std::max(family.worst, worst);
    double& dtype_worst = worst_by_dtype[dtype_name(shape.kv)];
    dtype_worst = std::max(dtype_worst, worst);
    std::printf("  %-44s partitions %-16s max rel err %.3e %s\n", v.name, partitions.c_str(), worst,
                worst <= tolerance ? "ok" : "FAILED");
    std::fflush(stdout);
  }

  std::printf("%-18s %-12s %8s %6s %9s %-18s %12s\n", "build", "family", "variants", "cases",
              "failures", "partitions", "max rel err");
  for (const auto& [name, f] : families) {
    const std::string parts = std::to_string(*f.partitions.begin()) + ".." +
                              std::to_string(*f.partitions.rbegin()) + " (" +
                              std::to_string(f.partitions.size()) + " counts)";
    std::printf("%-18s %-12s %8d %6d %9d %-18s %12.3e\n", PA_GPU_BUILD, name.c_str(), f.variants,
                f.cases, f.failures, parts.c_str(), f.worst);
  }
  std::string by_dtype;
  for (const auto& [dtype, worst] : worst_by_dtype) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %s %.3e", dtype.c_str(), worst);
    by_dtype += buf;
  }
  std::printf(
      "SUMMARY %s: %zu variants, %d cases, %d failures; max rel err%s (tolerance 1e-2 fp16/bf16, "
      "3e-2 fp8)\n",
      PA_GPU_BUILD, variants.size(), total_cases, total_failures, by_dtype.c_str());
  cuDevicePrimaryCtxRelease(cu_device);
}
