#include "device_memory.h"

#include <dlfcn.h>

#include <cstdint>

namespace {

// The names the runtime tries, in its order (runtime/README.md).
constexpr const char* k_hip_libraries[] = {"libamdhip64.so", "libamdhip64.so.7", "libamdhip64.so.6",
                                           "libamdhip64.so.5"};
constexpr int k_hip_memcpy_host_to_device = 1;
constexpr int k_hip_memcpy_device_to_host = 2;

template <class F>
bool resolve(void* library, const char* name, F* out, std::string* error) {
  *out = reinterpret_cast<F>(dlsym(library, name));
  if (*out == nullptr) *error = std::string("the driver library lacks ") + name;
  return *out != nullptr;
}

}  // namespace

bool DeviceMemory::open(aotc_backend backend, std::string* error) {
  cuda_ = backend == AOTC_BACKEND_CUDA;
  void* library = nullptr;
  if (cuda_) {
    library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  } else {
    for (const char* name : k_hip_libraries) {
      if ((library = dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
    }
  }
  if (library == nullptr) {
    *error = std::string("cannot open the ") + (cuda_ ? "CUDA" : "HIP") +
             " driver library: " + dlerror();
    return false;
  }
  if (cuda_) {
    return resolve(library, "cuMemAlloc_v2", &cu_alloc_, error) &&
           resolve(library, "cuMemFree_v2", &cu_free_, error) &&
           resolve(library, "cuMemcpyHtoD_v2", &cu_htod_, error) &&
           resolve(library, "cuMemcpyDtoH_v2", &cu_dtoh_, error) &&
           resolve(library, "cuCtxSynchronize", &cu_sync_, error) &&
           resolve(library, "cuGetErrorString", &cu_error_string_, error);
  }
  return resolve(library, "hipMalloc", &hip_malloc_, error) &&
         resolve(library, "hipFree", &hip_free_, error) &&
         resolve(library, "hipMemcpy", &hip_memcpy_, error) &&
         resolve(library, "hipDeviceSynchronize", &hip_sync_, error) &&
         resolve(library, "hipGetErrorString", &hip_error_string_, error);
}

bool DeviceMemory::check(int code, const char* what, std::string* error) {
  if (code == 0) return true;
  const char* text = nullptr;
  if (cuda_) {
    cu_error_string_(code, &text);
  } else {
    text = hip_error_string_(code);
  }
  *error =
      std::string(what) + " failed with error " + std::to_string(code) + ": " + (text ? text : "?");
  return false;
}

bool DeviceMemory::allocate(std::size_t bytes, void** out, std::string* error) {
  if (!cuda_) return check(hip_malloc_(out, bytes), "hipMalloc", error);
  unsigned long long pointer = 0;
  const bool ok = check(cu_alloc_(&pointer, bytes), "cuMemAlloc", error);
  *out = reinterpret_cast<void*>(static_cast<std::uintptr_t>(pointer));
  return ok;
}

bool DeviceMemory::upload(void* device, const void* host, std::size_t bytes, std::string* error) {
  if (!cuda_)
    return check(hip_memcpy_(device, host, bytes, k_hip_memcpy_host_to_device), "hipMemcpy", error);
  return check(cu_htod_(reinterpret_cast<std::uintptr_t>(device), host, bytes), "cuMemcpyHtoD",
               error);
}

bool DeviceMemory::download(void* host, const void* device, std::size_t bytes, std::string* error) {
  if (!cuda_)
    return check(hip_memcpy_(host, device, bytes, k_hip_memcpy_device_to_host), "hipMemcpy", error);
  return check(cu_dtoh_(host, reinterpret_cast<std::uintptr_t>(device), bytes), "cuMemcpyDtoH",
               error);
}

bool DeviceMemory::synchronize(std::string* error) {
  return cuda_ ? check(cu_sync_(), "cuCtxSynchronize", error)
               : check(hip_sync_(), "hipDeviceSynchronize", error);
}

void DeviceMemory::release(void* device) {
  if (cuda_) {
    cu_free_(reinterpret_cast<std::uintptr_t>(device));
  } else {
    hip_free_(device);
  }
}
