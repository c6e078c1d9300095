// The Triton example family (configs/triton-splitk-gemv.json) on a GPU: every built variant of
// splitk_gemv, through its generated launcher and the aotc runtime, against a float64 CPU
// reference of y = alpha * (A @ x). Built and run on the device machine by run_on_device.sh
// (needs the launcher aotc generated there, with real Triton); prints one line per case and
// exits 1 on any mismatch or error.
#include <aotc/splitk_gemv_launcher.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "device_memory.h"
#include "pa_reference.h"

namespace gen = aotc::gen::splitk_gemv;

namespace {

int element_bytes(gen::Dtype dtype) { return dtype == gen::Dtype::fp32 ? 4 : 2; }

// A random value in about [-1, 1] stored in `dtype` (bit patterns built directly, so the
// reference decodes exactly what the kernel reads).
void random_element(gen::Dtype dtype, std::mt19937& rng, unsigned char* out) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  float value = uniform(rng);
  std::uint32_t bits32;
  std::memcpy(&bits32, &value, 4);
  if (dtype == gen::Dtype::fp32) {
    std::memcpy(out, &bits32, 4);
    return;
  }
  std::uint16_t bits16;
  if (dtype == gen::Dtype::bf16) {
    bits16 = static_cast<std::uint16_t>(bits32 >> 16);
  } else {  // fp16: sign, exponent 10..14 (2^-5 .. 2^-1), random mantissa
    std::uniform_int_distribution<int> exponent(10, 14), mantissa(0, 1023), sign(0, 1);
    bits16 = static_cast<std::uint16_t>((sign(rng) << 15) | (exponent(rng) << 10) | mantissa(rng));
  }
  std::memcpy(out, &bits16, 2);
}

double decode(gen::Dtype dtype, const unsigned char* p) {
  if (dtype == gen::Dtype::fp32) {
    float value;
    std::memcpy(&value, p, 4);
    return value;
  }
  std::uint16_t bits;
  std::memcpy(&bits, p, 2);
  return dtype == gen::Dtype::bf16 ? aotc::pa_ref::decode_bf16(bits)
                                   : aotc::pa_ref::decode_fp16(bits);
}

struct Case {
  int m, k, stride_pad;
};

}  // namespace

int main() {
  aotc_runtime* runtime = nullptr;
  aotc::gen::Status s = aotc::gen::Status::adopt(aotc_runtime_default(&runtime));
  aotc_device_info device{};
  if (s) s = aotc::gen::Status::adopt(aotc_current_device(runtime, &device));
  if (!s) {
    std::printf("no device: %s\n", s.message().c_str());
    return 1;
  }
  DeviceMemory memory;
  std::string error;
  if (!memory.open(aotc_runtime_backend(runtime), &error)) {
    std::printf("device memory: %s\n", error.c_str());
    return 1;
  }
  std::printf("device %s, %d multiprocessors; launcher with %zu variants, %s\n", device.arch,
              device.multiprocessor_count, gen::variants().size(),
              gen::embedded() ? "code objects embedded" : "code objects from files");
  const Case cases[] = {{1, 1, 0}, {37, 1000, 3}, {300, 4096, 0}, {1024, 777, 5}, {5, 65536, 0}};
  std::mt19937 rng(1234);
  int failures = 0, run = 0;
  for (const gen::VariantInfo& info : gen::variants()) {
    const gen::Dtype dtype = info.key.dtype;
    const int bytes = element_bytes(dtype);
    for (const Case& c : cases) {
      const int stride = c.k + c.stride_pad;
      std::vector<unsigned char> a(static_cast<std::size_t>(c.m) * stride * bytes),
          x(static_cast<std::size_t>(c.k) * bytes), y(static_cast<std::size_t>(c.m) * bytes);
      for (std::size_t i = 0; i < a.size(); i += bytes) random_element(dtype, rng, &a[i]);
      for (std::size_t i = 0; i < x.size(); i += bytes) random_element(dtype, rng, &x[i]);
      const float alpha = 0.75f;
      void *a_dev = nullptr, *x_dev = nullptr, *y_dev = nullptr, *workspace = nullptr;
      gen::Args args;
      args.M = c.m;
      args.K = c.k;
      args.stride_am = stride;
      args.alpha = alpha;
      std::uint64_t workspace_bytes = 0;
      bool ok = memory.allocate(a.size(), &a_dev, &error) &&
                memory.allocate(x.size(), &x_dev, &error) &&
                memory.allocate(y.size(), &y_dev, &error) &&
                memory.upload(a_dev, a.data(), a.size(), &error) &&
                memory.upload(x_dev, x.data(), x.size(), &error);
      args.a = a_dev;
      args.x = x_dev;
      args.y = y_dev;
      gen::Plan plan;
      aotc::gen::Device d{device.multiprocessor_count, device.warp_size,
                          device.max_shared_per_block, aotc::gen::detail::vendor_of(runtime)};
      if (ok) s = gen::plan(info.key, args, d, &plan);
      if (ok && s) s = gen::workspace_bytes(info.key, args, &workspace_bytes);
      if (ok && s) ok = memory.allocate(workspace_bytes, &workspace, &error);
      args.workspace = workspace;
      if (ok && s) s = gen::launch(nullptr, info.key, args);
      if (ok && s)
        ok = memory.synchronize(&error) && memory.download(y.data(), y_dev, y.size(), &error);
      double worst = 0;
      if (ok && s) {
        for (int r = 0; r < c.m; ++r) {
          double sum = 0, magnitude = 0;
          for (int k = 0; k < c.k; ++k) {
            const double term =
                decode(dtype, &a[(static_cast<std::size_t>(r) * stride + k) * bytes]) *
                decode(dtype, &x[static_cast<std::size_t>(k) * bytes]);
            sum += term;
            magnitude += std::fabs(term);
          }
          const double expected = alpha * sum;
          const double got = decode(dtype, &y[static_cast<std::size_t>(r) * bytes]);
          // Relative to the sum of |terms| (float32 accumulation) plus the output's rounding.
          const double rounding = dtype == gen::Dtype::fp32   ? 1e-6
                                  : dtype == gen::Dtype::fp16 ? 1e-3
                                                              : 8e-3;
          const double error_bound =
              1e-5 * alpha * magnitude + rounding * std::fabs(expected) + 1e-6;
          worst = std::max(worst, std::fabs(got - expected) / error_bound);
          if (!std::isfinite(got)) worst = INFINITY;
        }
      }
      const bool passed = ok && s && worst <= 1.0;
      failures += passed ? 0 : 1;
      ++run;
      std::printf("%-28s M=%-5d K=%-6d splits=%-3u grid=(%u,%u) block=%u shared=%u  %s", info.name,
                  c.m, c.k, plan.steps[0].grid[1], plan.steps[0].grid[0], plan.steps[0].grid[1],
                  plan.steps[0].block[0], plan.steps[0].shared_bytes, passed ? "ok" : "FAILED");
      if (!s) std::printf(" (%s)", s.message().c_str());
      if (!ok) std::printf(" (%s)", error.c_str());
      std::printf("  error/bound %.3f\n", worst);
      for (void* p : {a_dev, x_dev, y_dev, workspace}) {
        if (p) memory.release(p);
      }
    }
  }
  std::printf("%d cases, %d failed\n", run, failures);
  return failures ? 1 : 0;
}
