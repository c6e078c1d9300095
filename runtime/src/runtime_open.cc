// Opening a runtime on a backend (explicit, AOTC_BACKEND, or automatic), the process default,
// and device queries.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "runtime_internal.h"

using aotc::runtime::Backend;
using aotc::runtime::DeviceProperties;
using aotc::runtime::DeviceSlot;
using aotc::runtime::make_status;
using aotc::runtime::StatusPtr;

namespace aotc::runtime {

aotc_runtime* create_runtime(std::unique_ptr<Backend> backend) {
  static std::atomic<std::uint64_t> next_id{1};
  auto* runtime = new aotc_runtime_s;
  runtime->backend = std::move(backend);
  runtime->id = next_id.fetch_add(1, std::memory_order_relaxed);
  return runtime;
}

}  // namespace aotc::runtime

namespace {

// AOTC_BACKEND=hip|cuda overrides AUTO; anything else is refused rather than ignored.
StatusPtr backend_from_environment(aotc_backend* backend) {
  const char* value = std::getenv("AOTC_BACKEND");
  if (!value || !*value) return nullptr;
  std::string_view name = value;
  if (name == "hip") {
    *backend = AOTC_BACKEND_HIP;
  } else if (name == "cuda") {
    *backend = AOTC_BACKEND_CUDA;
  } else if (name != "auto") {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       "AOTC_BACKEND=" + std::string(name) + ": expected hip, cuda or auto");
  }
  return nullptr;
}

bool has_devices(Backend& backend) {
  int count = 0;
  return !backend.device_count(&count) && count > 0;
}

// AUTO: the first backend whose driver loads and has a device; else the first that loaded (so
// its errors say "no device"); else NO_DRIVER with every library tried for both.
StatusPtr open_auto(std::unique_ptr<Backend>* out) {
  std::unique_ptr<Backend> hip;
  StatusPtr hip_status = aotc::runtime::open_hip_backend(&hip);
  if (hip && has_devices(*hip)) {
    *out = std::move(hip);
    return nullptr;
  }
  std::unique_ptr<Backend> cuda;
  StatusPtr cuda_status = aotc::runtime::open_cuda_backend(&cuda);
  if (cuda && (has_devices(*cuda) || !hip)) {
    *out = std::move(cuda);
    return nullptr;
  }
  if (hip) {
    *out = std::move(hip);
    return nullptr;
  }
  return make_status(AOTC_ERROR_NO_DRIVER, "no GPU driver: HIP: " + hip_status->message +
                                               "; CUDA: " + cuda_status->message);
}

// The last answer of aotc_current_device on this thread. Generated launchers ask on every
// launch and threads rarely switch devices or contexts, so one driver call (current_key: the
// current CUcontext, or HIP's current ordinal) confirms the memo instead of the two or more the
// full query makes (CUDA: cuCtxGetCurrent + cuCtxGetDevice) and the device-map lookup. Key 0
// (no context yet, or the driver failed) never matches: the full query handles and reports it.
struct CurrentDeviceMemo {
  std::uint64_t runtime_id = 0;  // 0: empty
  std::uintptr_t key = 0;
  aotc_device_info info{};
};
thread_local CurrentDeviceMemo current_device_memo;

StatusPtr current_device(aotc_runtime* runtime, aotc_device_info* out) {
  CurrentDeviceMemo& memo = current_device_memo;
  std::uintptr_t key = 0;
  if (auto status = runtime->backend->current_key(&key)) return status;
  if (key != 0 && memo.runtime_id == runtime->id && memo.key == key) {
    *out = memo.info;
    return nullptr;
  }
  DeviceSlot slot;
  if (auto status = runtime->backend->current_device(&slot)) return status;
  const DeviceProperties* properties = nullptr;
  if (auto status = runtime->device_properties(slot.ordinal, &properties)) return status;
  *out = aotc_device_info{};
  out->ordinal = slot.ordinal;
  std::strncpy(out->arch, properties->arch.c_str(), sizeof out->arch - 1);
  out->multiprocessor_count = properties->multiprocessor_count;
  out->warp_size = properties->warp_size;
  out->max_shared_per_block = properties->max_shared_per_block;
  memo = CurrentDeviceMemo{runtime->id, slot.key, *out};
  return nullptr;
}

}  // namespace

StatusPtr aotc_runtime_s::device_properties(int ordinal, const DeviceProperties** out) {
  bool cached = ordinal >= 0 && ordinal < kLockFreeDevices;
  if (cached && (*out = device_cache[ordinal].load(std::memory_order_acquire))) return nullptr;
  {
    std::lock_guard lock(mutex);
    auto it = devices.find(ordinal);
    if (it != devices.end()) {
      *out = &it->second;
      return nullptr;
    }
  }
  // Read outside the lock: two threads may both ask the driver, and the first answer is kept.
  DeviceProperties properties;
  if (auto status = backend->device_properties(ordinal, &properties)) {
    return aotc::runtime::with_context(std::move(status), "device " + std::to_string(ordinal));
  }
  std::lock_guard lock(mutex);
  *out = &devices.emplace(ordinal, std::move(properties)).first->second;
  if (cached) device_cache[ordinal].store(*out, std::memory_order_release);
  return nullptr;
}

extern "C" {

aotc_status aotc_runtime_open(aotc_backend backend, aotc_runtime** out) {
  if (!out)
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, "aotc_runtime_open: out is NULL").release();
  if (backend == AOTC_BACKEND_AUTO) {
    if (auto status = backend_from_environment(&backend)) return status.release();
  }
  std::unique_ptr<Backend> opened;
  StatusPtr status;
  switch (backend) {
    case AOTC_BACKEND_HIP:
      status = aotc::runtime::open_hip_backend(&opened);
      break;
    case AOTC_BACKEND_CUDA:
      status = aotc::runtime::open_cuda_backend(&opened);
      break;
    case AOTC_BACKEND_AUTO:
      status = open_auto(&opened);
      break;
    default:
      return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                         "aotc_runtime_open: unknown backend " + std::to_string(backend))
          .release();
  }
  if (status) return status.release();
  *out = aotc::runtime::create_runtime(std::move(opened));
  return nullptr;
}

aotc_status aotc_runtime_default(aotc_runtime** out) {
  // Generated launchers call this on every launch: once opened, the answer is one atomic load.
  static std::atomic<aotc_runtime*> opened{nullptr};
  static std::mutex mutex;
  if (!out)
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, "aotc_runtime_default: out is NULL").release();
  if ((*out = opened.load(std::memory_order_acquire))) return nullptr;
  std::lock_guard lock(mutex);
  // A failure is not cached: a driver installed or a device enabled later is picked up.
  if (!opened.load(std::memory_order_relaxed)) {
    aotc_runtime* runtime = nullptr;
    if (aotc_status status = aotc_runtime_open(AOTC_BACKEND_AUTO, &runtime)) return status;
    opened.store(runtime, std::memory_order_release);
  }
  *out = opened.load(std::memory_order_relaxed);
  return nullptr;
}

void aotc_runtime_close(aotc_runtime* runtime) {
  if (!runtime) return;
  for (aotc_module* module : runtime->modules) delete module;
  delete runtime;
}

aotc_backend aotc_runtime_backend(const aotc_runtime* runtime) {
  return runtime ? runtime->backend->kind() : AOTC_BACKEND_AUTO;
}

aotc_status aotc_device_count(aotc_runtime* runtime, int* count) {
  if (!runtime || !count) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, "aotc_device_count: NULL argument").release();
  }
  return runtime->backend->device_count(count).release();
}

aotc_status aotc_current_device(aotc_runtime* runtime, aotc_device_info* out) {
  if (!runtime || !out) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, "aotc_current_device: NULL argument").release();
  }
  return current_device(runtime, out).release();
}

}  // extern "C"
