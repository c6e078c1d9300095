// The boundary between the runtime's logic (image selection, lazy loading, argument checks) and
// a GPU driver. The HIP and CUDA backends implement it over dlopen'ed driver functions; tests
// implement it with a fake driver, so everything above this line runs without a GPU.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "aotc/runtime.h"
#include "status.h"

namespace aotc::runtime {

// Where code is loaded: HIP loads per device ordinal, CUDA per context; `key` names that place
// (the ordinal for HIP, the CUcontext for CUDA) and `ordinal` the device it belongs to.
struct DeviceSlot {
  int ordinal = 0;
  std::uintptr_t key = 0;
};

struct DeviceProperties {
  std::string arch;  // HIP gcnArchName ("gfx942:sramecc+:xnack-") or "sm_90"
  int multiprocessor_count = 0;
  int warp_size = 0;
  int max_shared_per_block = 0;
  // Launches with AOTC_LAUNCH_OVERLAP_PREVIOUS overlap the previous kernel (CUDA: compute
  // capability >= 9.0 and a driver with cuLaunchKernelEx); where false they are plain launches.
  bool overlaps_launches = false;
};

// Every failure names the driver function and carries the driver's own error name and string.
// Implementations are thread-safe.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual aotc_backend kind() const = 0;
  // The driver library that loaded ("libamdhip64.so.5"), for messages.
  virtual const std::string& library() const = 0;

  // 0 devices is success: a driver without a device is reported when a device is needed.
  virtual StatusPtr device_count(int* count) = 0;
  // The calling thread's load key only: on every launch, so it must be cheap.
  virtual StatusPtr current_key(std::uintptr_t* key) = 0;
  // The calling thread's device (CUDA: makes device 0's primary context current if the thread
  // has no context). AOTC_ERROR_NO_DEVICE when there is none.
  virtual StatusPtr current_device(DeviceSlot* slot) = 0;
  virtual StatusPtr device_properties(int ordinal, DeviceProperties* out) = 0;

  // Loads one code object (hsaco, cubin, or NUL-terminated PTX) into the calling thread's
  // current device or context, which is `slot`.
  virtual StatusPtr load_module(const DeviceSlot& slot, std::span<const std::uint8_t> image,
                                void** module) = 0;
  // Unloads from any thread (CUDA makes the slot's context current around the call).
  virtual void unload_module(const DeviceSlot& slot, void* module) = 0;
  virtual StatusPtr get_function(void* module, const char* entry, void** function) = 0;
  // Allows `bytes` of dynamic shared memory per block where the driver needs an opt-in (CUDA
  // above 48 KiB); a no-op where it does not.
  virtual StatusPtr allow_dynamic_shared(void* function, std::uint32_t bytes) = 0;
  // `overlap_previous`: launch so that the kernel may start before the previous one on the
  // stream ends (only asked where DeviceProperties::overlaps_launches said so).
  virtual StatusPtr launch(void* function, const aotc_launch_config& config, void** params,
                           bool overlap_previous) = 0;
};

// The real backends. Each opens its driver library (the candidates of REFERENCE.md), resolves
// its functions and initialises the driver; AOTC_ERROR_NO_DRIVER when that fails.
StatusPtr open_hip_backend(std::unique_ptr<Backend>* out);
StatusPtr open_cuda_backend(std::unique_ptr<Backend>* out);

}  // namespace aotc::runtime
