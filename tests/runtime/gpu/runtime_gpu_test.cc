// The runtime's CUDA backend on a real GPU: loads a cubin (and the PTX, through the JIT) built on
// the CPU machine by clang-22 + ptxas from tests/runtime/data/saxpy.hip, checks results against
// the CPU, races 8 threads to the first launch (one load), checks the driver-facing errors, and
// measures the host-side cost of aotc_launch against a raw cuLaunchKernel of the same kernel.
//
// Usage: runtime_gpu_test <dir with saxpy.sm_90a.cubin and saxpy.sm_90a.ptx> [launches]
// Exit status 0 only when every check passes.
#include <cuda.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "aotc/runtime.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("[%s] %s\n", ok ? "PASS" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

// Checks an aotc_status: success expected; prints the message otherwise.
bool ok(aotc_status status, const std::string& what) {
  if (!status) return true;
  std::printf("       %s: %s\n", what.c_str(), aotc_status_message(status));
  aotc_status_free(status);
  return false;
}

void cu(CUresult result, const char* what) {
  if (result == CUDA_SUCCESS) return;
  const char* name = nullptr;
  cuGetErrorName(result, &name);
  std::printf("[FAIL] %s: %s\n", what, name ? name : "?");
  std::exit(2);  // a test program, not library code
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::printf("[FAIL] cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct SaxpyArgs {
  CUdeviceptr y;
  CUdeviceptr x;
  float a;
  int n;
};
const aotc_arg_layout kSaxpyLayout[] = {{offsetof(SaxpyArgs, y), 8},
                                        {offsetof(SaxpyArgs, x), 8},
                                        {offsetof(SaxpyArgs, a), 4},
                                        {offsetof(SaxpyArgs, n), 4}};

aotc_launch_config config_for(int n) {
  return aotc_launch_config{
      {static_cast<uint32_t>((n + 255) / 256), 1, 1}, {256, 1, 1}, 0, nullptr};
}

// Fresh random inputs, poisoned output read back: every element checked against the CPU.
struct SaxpyCase {
  int n;
  float a;
  std::vector<float> x, y;
  CUdeviceptr dx = 0, dy = 0;

  SaxpyCase(int count, unsigned seed) : n(count) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
    a = dist(rng);
    x.resize(n);
    y.resize(n);
    for (auto& v : x) v = dist(rng);
    for (auto& v : y) v = dist(rng);
    cu(cuMemAlloc(&dx, n * sizeof(float)), "cuMemAlloc");
    cu(cuMemAlloc(&dy, n * sizeof(float)), "cuMemAlloc");
    cu(cuMemcpyHtoD(dx, x.data(), n * sizeof(float)), "cuMemcpyHtoD");
    cu(cuMemcpyHtoD(dy, y.data(), n * sizeof(float)), "cuMemcpyHtoD");
  }
  ~SaxpyCase() {
    cuMemFree(dx);
    cuMemFree(dy);
  }
  SaxpyArgs args() const { return SaxpyArgs{dy, dx, a, n}; }
  // Largest relative error against `launches` applications of y += a*x, computed in double on
  // the CPU. Reads through the current context, which must be the one that allocated.
  double error(int launches = 1) const {
    std::vector<float> out(n);
    cu(cuMemcpyDtoH(out.data(), dy, n * sizeof(float)), "cuMemcpyDtoH");
    double worst = 0;
    for (int i = 0; i < n; ++i) {
      double ref = launches * static_cast<double>(a) * x[i] + y[i];
      double err = std::fabs(out[i] - ref) / std::max(1.0, std::fabs(ref));
      if (!(err <= worst)) worst = err;  // NaN sticks
    }
    return worst;
  }
};

struct Stats {
  double median, p10, p90, mean;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double t : v) sum += t;
  return {v[v.size() / 2], v[v.size() / 10], v[v.size() * 9 / 10], sum / v.size()};
}

// A place code runs: a CUDA context and its device. The runtime loads per context.
struct Place {
  CUcontext context = nullptr;
  int ordinal = 0;
  std::string name;
};

CUcontext create_context(int ordinal) {
  CUdevice device;
  cu(cuDeviceGet(&device, ordinal), "cuDeviceGet");
  CUcontext context = nullptr;
#if CUDA_VERSION >= 13000
  cu(cuCtxCreate(&context, nullptr, 0, device), "cuCtxCreate");
#else
  cu(cuCtxCreate(&context, 0, device), "cuCtxCreate");
#endif
  return context;
}

CUcontext primary_context(int ordinal) {
  CUdevice device;
  cu(cuDeviceGet(&device, ordinal), "cuDeviceGet");
  CUcontext context = nullptr;
  cu(cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
  return context;
}

// With two GPUs or more: device 0's and device 1's primary contexts (issue 6's two-GPU run);
// with one: two contexts created on device 0 (the same code path: the runtime keys loads by
// context). `late` is made only when asked, after launches elsewhere.
struct Places {
  bool two_gpus = false;
  std::vector<Place> early;
  Place make_late() const {
    if (two_gpus) return Place{primary_context(1), 1, "device 1 (primary context, made late)"};
    return Place{create_context(0), 0, "device 0 (third context, made late)"};
  }
};

Places choose_places() {
  int count = 0;
  cu(cuDeviceGetCount(&count), "cuDeviceGetCount");
  Places p;
  p.two_gpus = count >= 2;
  if (p.two_gpus) {
    p.early = {Place{primary_context(0), 0, "device 0"}, Place{primary_context(1), 1, "device 1"}};
  } else {
    p.early = {Place{create_context(0), 0, "device 0 context A"},
               Place{create_context(0), 0, "device 0 context B"}};
  }
  std::printf("       %d GPU(s): %s\n", count,
              p.two_gpus ? "two-GPU scenarios (device 0 and device 1)"
                         : "one GPU: two contexts on device 0 stand in for two devices");
  return p;
}

struct ModuleHandles {
  aotc_module* module = nullptr;
  aotc_kernel* kernel = nullptr;
};

ModuleHandles fresh_module(aotc_runtime* runtime, const aotc_image* images, const char* name) {
  ModuleHandles m;
  if (!ok(aotc_module_create(runtime, name, images, 2, &m.module), "module") ||
      !ok(aotc_module_get_kernel(m.module, "saxpy", &m.kernel), "kernel")) {
    std::exit(2);
  }
  return m;
}

// One thread's launches at one place: its own buffers there, `launches` saxpy calls on them.
struct PlaceWork {
  std::unique_ptr<SaxpyCase> c;
  int launches = 0;
};

// Launches saxpy once at `place` from the calling thread; the device the runtime reports there
// must be the place's (the per-thread device memo follows context switches).
bool launch_at(aotc_runtime* runtime, aotc_kernel* kernel, const Place& place, PlaceWork& work) {
  cu(cuCtxSetCurrent(place.context), "cuCtxSetCurrent");
  aotc_device_info info{};
  if (!ok(aotc_current_device(runtime, &info), "aotc_current_device") ||
      info.ordinal != place.ordinal) {
    return false;
  }
  SaxpyArgs args = work.c->args();
  aotc_launch_config config = config_for(work.c->n);
  if (!ok(aotc_launch(kernel, &config, &args, kSaxpyLayout, 4), "launch at " + place.name)) {
    return false;
  }
  ++work.launches;
  return true;
}

// Checks every thread's buffers at every place against the CPU; returns the worst error.
double worst_error(const std::vector<Place>& places, std::vector<std::vector<PlaceWork>>& work) {
  double worst = 0;
  for (auto& per_thread : work) {
    for (std::size_t p = 0; p < places.size(); ++p) {
      cu(cuCtxSetCurrent(places[p].context), "cuCtxSetCurrent");
      cu(cuCtxSynchronize(), "sync");
      double err = per_thread[p].c->error(per_thread[p].launches);
      if (!(err <= worst)) worst = err;
    }
  }
  return worst;
}

// Issue 6: the same module launched at several places (two GPUs, or two contexts on one),
// alternating from several threads, then one thread per place, then a place made current only
// after the module's first launch elsewhere. Each place loads the module exactly once.
void contexts_and_devices(aotc_runtime* runtime, const aotc_image* images) {
  CUcontext caller = nullptr;
  cu(cuCtxGetCurrent(&caller), "cuCtxGetCurrent");
  Places places = choose_places();
  const std::vector<Place>& early = places.early;
  auto make_work = [&](int threads, unsigned seed) {
    std::vector<std::vector<PlaceWork>> work(threads);
    for (int t = 0; t < threads; ++t) {
      for (const Place& place : early) {
        cu(cuCtxSetCurrent(place.context), "cuCtxSetCurrent");  // buffers belong to the place
        work[t].push_back(PlaceWork{std::make_unique<SaxpyCase>(4096, seed++), 0});
      }
    }
    return work;
  };
  {
    constexpr int kThreads = 4;
    constexpr int kRounds = 25;
    ModuleHandles m = fresh_module(runtime, images, "saxpy.alternating");
    auto work = make_work(kThreads, 100);
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < kRounds; ++round) {
          std::size_t p = static_cast<std::size_t>(t + round) % early.size();
          if (!launch_at(runtime, m.kernel, early[p], work[t][p])) ++failed;
        }
        cuCtxSynchronize();
      });
    }
    for (auto& thread : threads) thread.join();
    check(failed == 0, "4 threads alternating between " + early[0].name + " and " + early[1].name +
                           ": every launch succeeds on the right device");
    double err = worst_error(early, work);
    std::printf("       max relative error %.3g\n", err);
    check(err < 1e-5, "alternating launches match the CPU at both places");
    check(aotc_module_load_count(m.module) == early.size(),
          "one load per place (got " + std::to_string(aotc_module_load_count(m.module)) + ")");
    aotc_module_destroy(m.module);
  }
  {
    constexpr int kLaunches = 40;
    ModuleHandles m = fresh_module(runtime, images, "saxpy.thread_per_place");
    auto work = make_work(static_cast<int>(early.size()), 200);
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < early.size(); ++p) {
      threads.emplace_back([&, p] {
        for (int i = 0; i < kLaunches; ++i) {
          if (!launch_at(runtime, m.kernel, early[p], work[p][p])) ++failed;
        }
        cuCtxSynchronize();
      });
    }
    for (auto& thread : threads) thread.join();
    // Only work[p][p] was launched; the others' expected count stays 0 (untouched buffers).
    double err = worst_error(early, work);
    check(failed == 0 && err < 1e-5, "one thread per place, 40 launches each: results match");
    check(aotc_module_load_count(m.module) == early.size(), "one load per place");
    aotc_module_destroy(m.module);
  }
  {
    ModuleHandles m = fresh_module(runtime, images, "saxpy.late");
    auto work = make_work(1, 300);
    bool launched = true;
    for (int i = 0; i < 5; ++i) launched &= launch_at(runtime, m.kernel, early[0], work[0][0]);
    check(launched && aotc_module_load_count(m.module) == 1, "first launches at " + early[0].name);
    double err = 0;
    std::size_t loads = 0;
    std::thread([&] {
      Place late = places.make_late();  // exists (or becomes current) only now
      cu(cuCtxSetCurrent(late.context), "cuCtxSetCurrent");
      PlaceWork w{std::make_unique<SaxpyCase>(4096, 400), 0};
      for (int i = 0; i < 3; ++i) launched &= launch_at(runtime, m.kernel, late, w);
      cu(cuCtxSynchronize(), "sync");
      err = w.c->error(w.launches);
      loads = aotc_module_load_count(m.module);
      w.c.reset();  // frees its buffers while its context is current
      if (!places.two_gpus) {
        aotc_module_destroy(m.module);  // unloads from the late context before it goes
        m.module = nullptr;
        cuCtxDestroy(late.context);
      }
    }).join();
    check(launched && err < 1e-5,
          "a place made current after the first launch elsewhere: "
          "its launches succeed and match the CPU");
    check(loads == 2, "it loaded the module once more (got " + std::to_string(loads) + ")");
    check(worst_error(early, work) < 1e-5, "and the first place's results still match");
    if (m.module) aotc_module_destroy(m.module);
  }
  cu(cuCtxSetCurrent(caller), "cuCtxSetCurrent");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::printf("usage: %s KERNEL_DIR [launches]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  int launches = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::vector<char> cubin = read_file(dir + "/saxpy.sm_90a.cubin");
  std::vector<char> ptx = read_file(dir + "/saxpy.sm_90a.ptx");

  aotc_runtime* runtime = nullptr;
  if (!ok(aotc_runtime_open(AOTC_BACKEND_CUDA, &runtime), "aotc_runtime_open")) return 1;
  aotc_runtime* automatic = nullptr;
  check(ok(aotc_runtime_default(&automatic), "aotc_runtime_default") &&
            aotc_runtime_backend(automatic) == AOTC_BACKEND_CUDA,
        "AUTO picks CUDA on an NVIDIA machine");
  aotc_device_info info;
  check(ok(aotc_current_device(runtime, &info), "aotc_current_device"), "current device");
  std::printf("       device %d: %s, %d SMs, warp %d, %d bytes shared (opt-in)\n", info.ordinal,
              info.arch, info.multiprocessor_count, info.warp_size, info.max_shared_per_block);
  check(std::string(info.arch) == "sm_90", "H100 reports sm_90");
  // aotc_current_device made device 0's primary context current on this thread; the raw
  // driver calls below share it.

  // cubin listed after PTX: selection must still prefer the cubin on sm_90.
  aotc_image images[] = {{"sm_90a", "ptx", ptx.data(), ptx.size(), nullptr},
                         {"sm_90a", "cubin", cubin.data(), cubin.size(), nullptr}};
  aotc_module* module = nullptr;
  aotc_kernel* saxpy = nullptr;
  check(ok(aotc_module_create(runtime, "saxpy.gpu", images, 2, &module), "module") &&
            ok(aotc_module_get_kernel(module, "saxpy", &saxpy), "kernel"),
        "module and kernel handles");

  {
    SaxpyCase c(1 << 20, 1);
    SaxpyArgs args = c.args();
    aotc_launch_config config = config_for(c.n);
    check(ok(aotc_launch(saxpy, &config, &args, kSaxpyLayout, 4), "launch"), "cubin launch");
    cu(cuCtxSynchronize(), "sync");
    double err = c.error();
    std::printf("       max relative error %.3g (a = %f passed as float)\n", err, c.a);
    check(err < 1e-6, "cubin saxpy matches the CPU (float scalar stays float)");
    check(aotc_module_load_count(module) == 1, "one load after the first launch");
  }
  {
    aotc_image ptx_only[] = {{"sm_90a", "ptx", ptx.data(), ptx.size(), nullptr}};
    aotc_module* jit = nullptr;
    aotc_kernel* kernel = nullptr;
    SaxpyCase c(100003, 2);
    SaxpyArgs args = c.args();
    aotc_launch_config config = config_for(c.n);
    check(ok(aotc_module_create(runtime, "saxpy.ptx", ptx_only, 1, &jit), "module") &&
              ok(aotc_module_get_kernel(jit, "saxpy", &kernel), "kernel") &&
              ok(aotc_launch(kernel, &config, &args, kSaxpyLayout, 4), "launch"),
          "PTX (JIT) launch");
    cu(cuCtxSynchronize(), "sync");
    check(c.error() < 1e-6, "PTX saxpy matches the CPU");
    aotc_module_destroy(jit);
  }
  {
    // Dynamic shared memory above 48 KiB needs cuFuncSetAttribute(8): the runtime opts in.
    SaxpyCase c(4096, 3);
    SaxpyArgs args = c.args();
    aotc_launch_config config = config_for(c.n);
    config.shared_bytes = 100 * 1024;
    check(ok(aotc_launch(saxpy, &config, &args, kSaxpyLayout, 4), "launch"),
          "launch with 100 KiB dynamic shared memory");
    cu(cuCtxSynchronize(), "sync");
    check(c.error() < 1e-6, "and its results match");
  }
  {
    SaxpyCase c(256, 4);
    SaxpyArgs args = c.args();
    aotc_launch_config config = config_for(c.n);
    aotc_arg_layout doubled[] = {{0, 8}, {8, 8}, {16, 8}, {24, 4}};
    aotc_status status = aotc_launch(saxpy, &config, &args, doubled, 4);
    std::string message = status ? aotc_status_message(status) : "";
    check(aotc_status_get_code(status) == AOTC_ERROR_INVALID_ARGUMENT &&
              message.find("argument 2") != std::string::npos,
          "a double where the cubin has a float is refused: " + message);
    aotc_status_free(status);
    config.block[0] = 2048;  // above the 1024-thread limit: the driver refuses
    status = aotc_launch(saxpy, &config, &args, kSaxpyLayout, 4);
    message = status ? aotc_status_message(status) : "";
    check(aotc_status_get_code(status) == AOTC_ERROR_DRIVER &&
              message.find("CUDA_ERROR_INVALID_VALUE") != std::string::npos,
          "driver errors carry the driver's name: " + message);
    aotc_status_free(status);
  }

  // 8 threads, none with a current context, launch first at once on a fresh module.
  {
    aotc_module* raced = nullptr;
    aotc_kernel* kernel = nullptr;
    ok(aotc_module_create(runtime, "saxpy.race", images, 2, &raced), "module");
    ok(aotc_module_get_kernel(raced, "saxpy", &kernel), "kernel");
    constexpr int kThreads = 8;
    std::vector<std::unique_ptr<SaxpyCase>> cases;
    for (int t = 0; t < kThreads; ++t) cases.push_back(std::make_unique<SaxpyCase>(65536, 10 + t));
    std::atomic<int> ready{0};
    std::atomic<int> launched{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        SaxpyArgs args = cases[t]->args();
        aotc_launch_config config = config_for(cases[t]->n);
        ++ready;
        while (ready.load() < kThreads) {
        }
        if (ok(aotc_launch(kernel, &config, &args, kSaxpyLayout, 4), "threaded launch")) {
          ++launched;
        }
        cuCtxSynchronize();
      });
    }
    for (auto& thread : threads) thread.join();
    check(launched == kThreads, "8 racing first launches succeed");
    check(aotc_module_load_count(raced) == 1, "exactly one load for 8 racing threads (got " +
                                                  std::to_string(aotc_module_load_count(raced)) +
                                                  ")");
    double worst = 0;
    for (auto& c : cases) worst = std::max(worst, c->error());
    check(worst < 1e-6, "every thread's results match the CPU");
    aotc_module_destroy(raced);
  }

  contexts_and_devices(runtime, images);

  // Launch overhead: host time of each launch call, aotc_launch vs cuLaunchKernel on the same
  // cubin and kernel, a 1-block launch so the GPU never backs the queue up; the stream is
  // synchronised (untimed) every 100 launches, and the methods alternate by batch.
  {
    CUmodule raw_module;
    CUfunction raw;
    cu(cuModuleLoadData(&raw_module, cubin.data()), "cuModuleLoadData");
    cu(cuModuleGetFunction(&raw, raw_module, "saxpy"), "cuModuleGetFunction");
    SaxpyCase c(256, 5);
    SaxpyArgs args = c.args();
    aotc_launch_config config = config_for(c.n);
    constexpr int kBatch = 100;
    std::vector<double> aotc_ns, raw_ns, launcher_ns;
    aotc_ns.reserve(launches);
    raw_ns.reserve(launches);
    launcher_ns.reserve(launches);
    bool all_ok = true;
    using clock = std::chrono::steady_clock;
    for (int warm = 0; warm < 1000; ++warm) {
      all_ok &= ok(aotc_launch(saxpy, &config, &args, kSaxpyLayout, 4), "warm-up");
    }
    cu(cuCtxSynchronize(), "sync");
    for (int done = 0; done < launches; done += kBatch) {
      for (int i = 0; i < kBatch; ++i) {
        auto t0 = clock::now();
        aotc_status status = aotc_launch(saxpy, &config, &args, kSaxpyLayout, 4);
        auto t1 = clock::now();
        all_ok &= ok(status, "timed aotc_launch");
        aotc_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
      }
      cu(cuCtxSynchronize(), "sync");
      for (int i = 0; i < kBatch; ++i) {
        auto t0 = clock::now();
        void* params[] = {&args.y, &args.x, &args.a, &args.n};
        CUresult result = cuLaunchKernel(raw, config.grid[0], 1, 1, config.block[0], 1, 1, 0,
                                         nullptr, params, nullptr);
        auto t1 = clock::now();
        all_ok &= result == CUDA_SUCCESS;
        raw_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
      }
      cu(cuCtxSynchronize(), "sync");
      // What a generated launcher does per launch: ask for the device, then launch.
      for (int i = 0; i < kBatch; ++i) {
        auto t0 = clock::now();
        aotc_device_info device;
        aotc_status status = aotc_current_device(runtime, &device);
        if (!status) status = aotc_launch(saxpy, &config, &args, kSaxpyLayout, 4);
        auto t1 = clock::now();
        all_ok &= ok(status, "timed device query + aotc_launch");
        launcher_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
      }
      cu(cuCtxSynchronize(), "sync");
    }
    Stats l = stats(launcher_ns);
    Stats a = stats(aotc_ns);
    Stats r = stats(raw_ns);
    std::printf("\nlaunch overhead, host ns per launch call, %d launches each:\n", launches);
    std::printf("  %-14s %9s %9s %9s %9s\n", "method", "median", "p10", "p90", "mean");
    std::printf("  %-14s %9.1f %9.1f %9.1f %9.1f\n", "aotc_launch", a.median, a.p10, a.p90, a.mean);
    std::printf("  %-14s %9.1f %9.1f %9.1f %9.1f\n", "cuLaunchKernel", r.median, r.p10, r.p90,
                r.mean);
    std::printf("  %-14s %9.1f %9.1f %9.1f %9.1f   (aotc_current_device + aotc_launch)\n",
                "launcher path", l.median, l.p10, l.p90, l.mean);
    std::printf("  %-14s %9.1f   (aotc_launch - cuLaunchKernel, medians)\n", "difference",
                a.median - r.median);
    check(all_ok, "every timed launch succeeded");
    check(a.median - r.median <= 500.0, "aotc_launch within +0.5 us of cuLaunchKernel (median)");
    cuModuleUnload(raw_module);
  }

  aotc_runtime_close(runtime);
  std::printf("\n%s: %d failure(s)\n", failures ? "FAILED" : "ALL PASSED", failures);
  return failures ? 1 : 0;
}
