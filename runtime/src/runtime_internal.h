// The objects behind the C ABI's opaque handles, and how they load lazily.
//
// Loading is per (module, device slot): the first launch of any kernel of a module on a device
// (HIP) or context (CUDA) selects an image, reads its argument layouts and loads it, holding that
// slot's own mutex, so threads racing to launch first wait for one load instead of doing several.
// A failed load is not remembered: the next launch tries again.
//
// Launches find their per-device kernel state through a lock-free list (prepended under the
// kernel's mutex, never shortened until the kernel dies), so the steady-state launch takes no lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "backend.h"
#include "image_selection.h"
#include "kernel_arguments.h"

namespace aotc::runtime {

// A module's code on one device slot.
struct LoadedModule {
  DeviceSlot slot;
  std::mutex mutex;     // held while loading
  bool loaded = false;  // guarded by mutex
  void* handle = nullptr;
  std::string device;              // "device 0 (sm_90)"
  bool overlaps_launches = false;  // the device's DeviceProperties::overlaps_launches
  std::string image;               // which image was chosen
  // The loaded bytes, kept while the module is loaded: hipModuleLoadData does not promise to
  // copy its image (and may read it after returning), so it must outlive the module.
  std::vector<std::uint8_t> bytes;
  ArgumentLayouts arguments;
};

// A kernel resolved on one device slot, ready to launch.
struct KernelOnDevice {
  std::uintptr_t key = 0;
  void* function = nullptr;
  std::vector<aotc_arg_layout> expected;
  std::string where;  // "kernel k, variant v, device 0 (sm_90)": context for launch errors
  std::atomic<std::uint32_t> shared_allowed{0};  // dynamic shared bytes already allowed
  bool overlaps_launches = false;                // DeviceProperties::overlaps_launches
  KernelOnDevice* next = nullptr;
};

}  // namespace aotc::runtime

struct aotc_runtime_s {
  std::unique_ptr<aotc::runtime::Backend> backend;
  // Unique per runtime for the process's life (never reused, unlike the address): per-thread
  // memos of answers from this runtime compare it to tell a closed runtime's memo from its own.
  std::uint64_t id = 0;
  std::mutex mutex;                                        // guards devices and modules
  std::map<int, aotc::runtime::DeviceProperties> devices;  // entries never change or move
  std::set<aotc_module*> modules;
  // Generated launchers ask for the device on every launch: the first ordinals' entries are
  // also reachable without the lock (and aotc_current_device memoises its answer per thread).
  static constexpr int kLockFreeDevices = 64;
  std::array<std::atomic<const aotc::runtime::DeviceProperties*>, kLockFreeDevices> device_cache{};

  // Properties of device `ordinal`, read from the driver once; valid for the runtime's life.
  aotc::runtime::StatusPtr device_properties(int ordinal,
                                             const aotc::runtime::DeviceProperties** out);
};

struct aotc_module_s {
  aotc_runtime* runtime = nullptr;
  std::string variant;
  std::vector<aotc::runtime::ImageSource> images;
  std::mutex mutex;                               // guards loaded and kernels
  std::list<aotc::runtime::LoadedModule> loaded;  // a list: entries never move
  std::map<std::string, std::unique_ptr<aotc_kernel_s>, std::less<>> kernels;
  std::atomic<std::size_t> load_count{0};  // successful driver loads

  // The module's code on `slot`, loaded by the first caller; others wait for it.
  aotc::runtime::StatusPtr ensure_loaded(const aotc::runtime::DeviceSlot& slot,
                                         aotc::runtime::LoadedModule** out);
  void unload_all();
  ~aotc_module_s();
};

struct aotc_kernel_s {
  aotc_module* module = nullptr;
  std::string entry;
  std::mutex mutex;  // serialises prepending to devices
  std::atomic<aotc::runtime::KernelOnDevice*> devices{nullptr};

  aotc::runtime::KernelOnDevice* find(std::uintptr_t key) const {
    for (auto* device = devices.load(std::memory_order_acquire); device; device = device->next) {
      if (device->key == key) return device;
    }
    return nullptr;
  }
  // The slow path of a launch: resolves the kernel on the calling thread's device, loading the
  // module there first if needed.
  aotc::runtime::StatusPtr prepare(aotc::runtime::KernelOnDevice** out);
  ~aotc_kernel_s();
};

namespace aotc::runtime {

// A runtime over any backend; tests pass a fake one.
aotc_runtime* create_runtime(std::unique_ptr<Backend> backend);

}  // namespace aotc::runtime
