// Correctness run on the GPU: every variant cubin in the given folders against the float64 CPU
// reference, on fresh random cases (tests/kernels/pa_cases.h: batch 1..128, ragged lengths up to
// 32781, NaN in every cache slot outside the contexts), with outputs and workspace poisoned with
// NaN before every launch, each case at the launch rule's partition count and at 1 and 7
// partitions. Prints one line per variant and path, then a summary; exit status 1 on any failure.
//
//   pa_check <seed> <folder>...      (each folder holds <variant>.cubin files, e.g. mma/, generic/)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cuda_check.h"
#include "pa_cases.h"
#include "pa_module.h"

using namespace aotc;

namespace {

struct Prepared {
  pa_ref::Problem problem;
  std::vector<double> reference;
};

template <class T>
CUdeviceptr upload(const std::vector<T>& v) {
  CUdeviceptr p = 0;
  const std::size_t bytes = std::max<std::size_t>(v.size() * sizeof(T), 16);
  CU_CHECK(cuMemAlloc(&p, bytes));
  if (!v.empty()) CU_CHECK(cuMemcpyHtoD(p, v.data(), v.size() * sizeof(T)));
  return p;
}

// A prepared case's inputs on the device, uploaded once and run through every path and
// partition count.
struct DeviceCase {
  pa_bench::DeviceBuffers b;
  std::size_t out_elems = 0;

  explicit DeviceCase(const Prepared& prep) {
    const pa_ref::Problem& p = prep.problem;
    b.query = upload(p.query);
    b.key_cache = upload(p.key_cache);
    b.value_cache = upload(p.value_cache);
    b.block_tables = upload(p.block_tables);
    b.context_lens = upload(p.context_lens);
    b.k_scale = upload(p.k_scale);
    b.v_scale = upload(p.v_scale);
    out_elems = prep.reference.size();
    CU_CHECK(cuMemAlloc(&b.out, out_elems * 2));
  }
  ~DeviceCase() {
    for (CUdeviceptr ptr : {b.out, b.query, b.key_cache, b.value_cache, b.block_tables,
                            b.context_lens, b.k_scale, b.v_scale})
      cuMemFree(ptr);
  }
  DeviceCase(const DeviceCase&) = delete;
  DeviceCase& operator=(const DeviceCase&) = delete;
};

// Runs one case through `module` at `partitions` with poisoned output and workspace; returns
// the relative error against the reference.
double run_case(const pa_bench::PaModule& module, const Prepared& prep, DeviceCase& dc,
                int partitions) {
  const pa_ref::Problem& p = prep.problem;
  pa_bench::DeviceBuffers b = dc.b;
  const std::size_t ws_bytes =
      std::max<std::size_t>(module.workspace_bytes(p.num_seqs, partitions), 16);
  CU_CHECK(cuMemAlloc(&b.workspace, ws_bytes));
  CU_CHECK(cuMemsetD16(b.out, pa_ref::nan_bits(p.shape.kv), dc.out_elems));
  CU_CHECK(cuMemsetD32(b.workspace, 0x7fc00000u, ws_bytes / 4));
  pa_bench::LaunchShape l;
  l.num_seqs = p.num_seqs;
  l.max_blocks_per_seq = p.max_blocks_per_seq;
  l.num_partitions = partitions;
  l.scale_mode = int32_t(p.scale_mode);
  l.scale = p.scale;
  module.launch(b, l, nullptr);
  CU_CHECK(cuCtxSynchronize());
  std::vector<uint16_t> out(dc.out_elems);
  CU_CHECK(cuMemcpyDtoH(out.data(), b.out, dc.out_elems * 2));
  CU_CHECK(cuMemFree(b.workspace));
  return pa_ref::relative_error(prep.reference, out.data(), pa_ref::io_is_fp16(p.shape.kv));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: pa_check <seed> <cubin folder>...\n");
    return 2;
  }
  const uint64_t seed = std::strtoull(argv[1], nullptr, 10);
  std::string device;
  const int sms = pa_bench::init_device(&device);
  std::printf("device: %s, %d SMs; seed %llu\n", device.c_str(), sms, (unsigned long long)seed);

  // variant name -> folder -> cubin path
  std::map<std::string, std::map<std::string, std::string>> variants;
  for (int i = 2; i < argc; ++i)
    for (const auto& e : std::filesystem::directory_iterator(argv[i]))
      if (e.path().extension() == ".cubin")
        variants[e.path().stem().string()][std::filesystem::path(argv[i]).filename().string()] =
            e.path().string();

  int failures = 0, runs = 0;
  double worst_16 = 0.0, worst_8 = 0.0;
  // Cases of the next variant are prepared (generation + float64 reference) on other cores while
  // this one runs on the GPU.
  auto prepare = [&](const pa_ref::Shape& shape, uint64_t s) {
    std::vector<std::future<Prepared>> futures;
    for (const pa_ref::CaseSpec& spec : pa_ref::standard_cases(shape, s))
      futures.push_back(std::async(std::launch::async, [spec] {
        Prepared prep{pa_ref::make_problem(spec), {}};
        prep.reference = pa_ref::reference_attention(prep.problem);
        return prep;
      }));
    return futures;
  };
  std::vector<std::string> names;
  for (const auto& v : variants) names.push_back(v.first);
  std::vector<std::vector<std::future<Prepared>>> pending(names.size());
  constexpr std::size_t kLookahead = 4;
  auto shape_of = [](const std::string& name) {
    auto s = pa_ref::parse_variant_name(name, /*fp8_fnuz=*/false);  // NVIDIA: OCP e4m3fn
    if (!s) {
      std::fprintf(stderr, "%s: not a pa_decode variant name\n", name.c_str());
      std::exit(2);
    }
    return *s;
  };
  for (std::size_t i = 0; i < std::min(kLookahead, names.size()); ++i)
    pending[i] = prepare(shape_of(names[i]), seed + i);

  for (std::size_t vi = 0; vi < names.size(); ++vi) {
    const std::string& name = names[vi];
    const pa_ref::Shape shape = shape_of(name);
    if (vi + kLookahead < names.size())
      pending[vi + kLookahead] = prepare(shape_of(names[vi + kLookahead]), seed + vi + kLookahead);
    std::vector<Prepared> cases;
    for (auto& f : pending[vi]) cases.push_back(f.get());
    const double tolerance = pa_ref::kv_bytes(shape.kv) == 1 ? 3e-2 : 1e-2;
    struct PathResult {
      std::unique_ptr<pa_bench::PaModule> module;
      double worst = 0.0;
      std::string detail;
    };
    std::map<std::string, PathResult> paths;
    for (const auto& [folder, path] : variants[name])
      paths[folder].module = std::make_unique<pa_bench::PaModule>(path, shape);
    for (std::size_t ci = 0; ci < cases.size(); ++ci) {
      const pa_ref::Problem& p = cases[ci].problem;
      DeviceCase dc(cases[ci]);
      const int max_len = *std::max_element(p.context_lens.begin(), p.context_lens.end());
      for (auto& [folder, r] : paths)
        for (int partitions : {r.module->rule_partitions(sms, p.num_seqs, max_len), 1, 7}) {
          const double err = run_case(*r.module, cases[ci], dc, partitions);
          ++runs;
          if (!(err <= tolerance)) {
            ++failures;
            char buf[160];
            std::snprintf(buf, sizeof buf, " FAIL(case %zu B=%d P=%d err=%.3g)", ci, p.num_seqs,
                          partitions, err);
            r.detail += buf;
          }
          r.worst = std::max(r.worst, std::isnan(err) ? INFINITY : err);
        }
    }
    for (auto& [folder, r] : paths) {
      double& worst_kind = pa_ref::kv_bytes(shape.kv) == 1 ? worst_8 : worst_16;
      worst_kind = std::max(worst_kind, r.worst);
      std::printf("%-8s %-40s cases %zu x 3 partition counts, max rel err %.3e %s%s\n",
                  folder.c_str(), name.c_str(), cases.size(), r.worst,
                  r.worst <= tolerance ? "ok" : "FAILED", r.detail.c_str());
    }
    std::fflush(stdout);
  }
  std::printf(
      "SUMMARY: %zu variants, %d runs, %d failures; max rel err fp16/bf16 %.3e (tol 1e-2), fp8 "
      "%.3e (tol 3e-2)\n",
      names.size(), runs, failures, worst_16, worst_8);
  return failures ? 1 : 0;
}
