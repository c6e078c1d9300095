// What the launch-overhead benchmarks share: the few CUDA driver calls they make themselves
// (dlopen'ed, like the runtime, so they build without a CUDA toolkit) and interleaved timing.
#pragma once

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <vector>

namespace overhead {

using Clock = std::chrono::steady_clock;

// Launches go to the queue asynchronously; draining it every so often (untimed) keeps the queue
// from filling up, which would time the GPU instead of the host.
constexpr int k_drain_every = 256;

struct Cuda {
  int (*mem_alloc)(unsigned long long*, std::size_t);
  int (*memset_d8)(unsigned long long, unsigned char, std::size_t);
  int (*memset_d32)(unsigned long long, unsigned, std::size_t);
  int (*module_load_data)(void**, const void*);
  int (*module_get_function)(void**, void*, const char*);
  int (*launch_kernel)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                       void*, void**, void**);
  int (*synchronize)();
};

inline bool open_cuda(Cuda* c) {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return false;
  c->mem_alloc = reinterpret_cast<decltype(c->mem_alloc)>(dlsym(lib, "cuMemAlloc_v2"));
  c->memset_d8 = reinterpret_cast<decltype(c->memset_d8)>(dlsym(lib, "cuMemsetD8_v2"));
  c->memset_d32 = reinterpret_cast<decltype(c->memset_d32)>(dlsym(lib, "cuMemsetD32_v2"));
  c->module_load_data =
      reinterpret_cast<decltype(c->module_load_data)>(dlsym(lib, "cuModuleLoadData"));
  c->module_get_function =
      reinterpret_cast<decltype(c->module_get_function)>(dlsym(lib, "cuModuleGetFunction"));
  c->launch_kernel = reinterpret_cast<decltype(c->launch_kernel)>(dlsym(lib, "cuLaunchKernel"));
  c->synchronize = reinterpret_cast<decltype(c->synchronize)>(dlsym(lib, "cuCtxSynchronize"));
  return c->mem_alloc && c->memset_d8 && c->memset_d32 && c->module_load_data &&
         c->module_get_function && c->launch_kernel && c->synchronize;
}

inline std::vector<char> read_file(const char* path) {
  std::ifstream file(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
}

// Times `count` calls of each launch function, interleaved in blocks of k_drain_every so that
// clock or queue drift hits every method alike. Returns microseconds per call, per method.
inline std::vector<std::vector<double>> time_interleaved(
    int count, Cuda& cuda, const std::vector<std::function<bool()>>& methods) {
  std::vector<std::vector<double>> us(methods.size());
  for (int done = 0; done < count; done += k_drain_every) {
    for (std::size_t m = 0; m < methods.size(); ++m) {
      cuda.synchronize();
      for (int i = 0; i < k_drain_every; ++i) {
        const Clock::time_point t0 = Clock::now();
        if (!methods[m]()) return {};
        us[m].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    }
  }
  cuda.synchronize();
  return us;
}

inline double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// Prints one line per method and the generated-minus-raw difference of medians (methods[0] is
// the raw launch, methods[1] the generated launcher); returns that difference.
inline double report(const std::vector<std::vector<double>>& us,
                     const std::vector<const char*>& names) {
  for (std::size_t m = 0; m < us.size(); ++m) {
    std::printf("  %-24s median %.3f  p10 %.3f  p90 %.3f\n", names[m], percentile(us[m], 0.5),
                percentile(us[m], 0.1), percentile(us[m], 0.9));
  }
  const double difference = percentile(us[1], 0.5) - percentile(us[0], 0.5);
  std::printf("  generated - raw (medians) %+.3f (budget +0.5)\n", difference);
  return difference;
}

}  // namespace overhead
