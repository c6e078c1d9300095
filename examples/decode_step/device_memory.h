// Device memory for the example. The aotc runtime launches kernels but leaves memory to the
// application; this opens the same driver library the runtime chose (HIP or CUDA) with dlopen,
// so the example, like the runtime, links against neither SDK.
#pragma once

#include <aotc/runtime.h>

#include <cstddef>
#include <string>

class DeviceMemory {
 public:
  // Resolves the allocation and copy functions of `backend`'s driver. False, with a message in
  // `error`, when the library or a function is missing.
  bool open(aotc_backend backend, std::string* error);

  // Each returns false and describes the driver's error in `error` on failure.
  bool allocate(std::size_t bytes, void** out, std::string* error);
  bool upload(void* device, const void* host, std::size_t bytes, std::string* error);
  bool download(void* host, const void* device, std::size_t bytes, std::string* error);
  bool synchronize(std::string* error);
  void release(void* device);

 private:
  bool check(int code, const char* what, std::string* error);

  bool cuda_ = false;
  // Driver entry points, by backend: CUDA's take CUdeviceptr (an integer) where HIP's take void*.
  int (*cu_alloc_)(unsigned long long*, std::size_t) = nullptr;
  int (*cu_free_)(unsigned long long) = nullptr;
  int (*cu_htod_)(unsigned long long, const void*, std::size_t) = nullptr;
  int (*cu_dtoh_)(void*, unsigned long long, std::size_t) = nullptr;
  int (*cu_sync_)() = nullptr;
  int (*cu_error_string_)(int, const char**) = nullptr;
  int (*hip_malloc_)(void**, std::size_t) = nullptr;
  int (*hip_free_)(void*) = nullptr;
  int (*hip_memcpy_)(void*, const void*, std::size_t, int) = nullptr;
  int (*hip_sync_)() = nullptr;
  const char* (*hip_error_string_)(int) = nullptr;
};
