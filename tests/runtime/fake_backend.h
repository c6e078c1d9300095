// A fake GPU driver behind the runtime's Backend interface: devices with chosen archs, a
// per-thread current device, and counters for every load, function lookup and launch, so tests
// can check selection, lazy loading, concurrency and argument passing without a GPU.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend.h"

namespace aotc_test {

struct FakeLaunch {
  void* function = nullptr;
  aotc_launch_config config{};
  std::vector<void*> params;  // as passed: pointers into the caller's buffer
  bool overlap_previous = false;
};

class FakeBackend : public aotc::runtime::Backend {
 public:
  FakeBackend(aotc_backend kind, std::vector<std::string> archs)
      : kind_(kind), archs_(std::move(archs)) {}

  // Shared state the test keeps after handing the backend to the runtime.
  struct Counters {
    std::atomic<int> loads{0};
    std::atomic<int> unloads{0};
    std::atomic<int> property_reads{0};
    std::atomic<int> slot_queries{
        0};  // current_device calls (the full query; current_key is not counted)
    std::atomic<int> shared_opt_ins{0};
    std::atomic<int> fail_next_loads{0};      // the next N loads fail with a driver error
    std::chrono::milliseconds load_delay{0};  // widens the window for racing first launches
    std::mutex mutex;
    std::vector<std::string> loaded_formats;
    std::vector<FakeLaunch> launches;
  };
  std::shared_ptr<Counters> counters = std::make_shared<Counters>();

  static int& current_ordinal() {
    thread_local int ordinal = 0;
    return ordinal;
  }
  // Which of the current device's contexts is current (CUDA can have several per device); each
  // context is its own load slot.
  static int& current_context() {
    thread_local int context = 0;
    return context;
  }
  static std::uintptr_t slot_key() {
    return static_cast<std::uintptr_t>(current_context()) * 1024 +
           static_cast<std::uintptr_t>(current_ordinal()) + 1;
  }

  aotc_backend kind() const override { return kind_; }
  const std::string& library() const override { return library_; }

  aotc::runtime::StatusPtr device_count(int* count) override {
    *count = static_cast<int>(archs_.size());
    return nullptr;
  }
  aotc::runtime::StatusPtr current_key(std::uintptr_t* key) override {
    *key = archs_.empty() ? 0 : slot_key();
    return nullptr;
  }
  aotc::runtime::StatusPtr current_device(aotc::runtime::DeviceSlot* slot) override {
    ++counters->slot_queries;
    if (archs_.empty()) return aotc::runtime::make_status(AOTC_ERROR_NO_DEVICE, "fake: no device");
    *slot = {current_ordinal(), slot_key()};
    return nullptr;
  }
  aotc::runtime::StatusPtr device_properties(int ordinal,
                                             aotc::runtime::DeviceProperties* out) override {
    ++counters->property_reads;
    // Multiprocessor counts differ per device so tests can tell which device answered.
    *out = {archs_.at(ordinal), 104 + 10 * ordinal, kind_ == AOTC_BACKEND_HIP ? 64 : 32, 65536};
    // As the CUDA driver backend decides: compute capability 9.0 and later.
    out->overlaps_launches = kind_ == AOTC_BACKEND_CUDA && out->arch >= "sm_90";
    return nullptr;
  }
  aotc::runtime::StatusPtr load_module(const aotc::runtime::DeviceSlot& slot,
                                       std::span<const std::uint8_t> image,
                                       void** module) override {
    std::this_thread::sleep_for(counters->load_delay);
    if (counters->fail_next_loads.load() > 0) {
      --counters->fail_next_loads;
      return aotc::runtime::make_status(AOTC_ERROR_DRIVER, "fakeModuleLoad: fakeErrorBusy (1)");
    }
    ++counters->loads;
    std::lock_guard lock(counters->mutex);
    // A PTX image reaches the driver NUL-terminated; remember what kind of bytes came.
    bool elf = image.size() >= 4 && image[0] == 0x7f && image[1] == 'E';
    counters->loaded_formats.push_back(elf ? "elf" : "text");
    *module = reinterpret_cast<void*>(slot.key);
    return nullptr;
  }
  void unload_module(const aotc::runtime::DeviceSlot&, void*) override { ++counters->unloads; }
  aotc::runtime::StatusPtr get_function(void* module, const char*, void** function) override {
    *function = module;
    return nullptr;
  }
  aotc::runtime::StatusPtr allow_dynamic_shared(void*, std::uint32_t bytes) override {
    if (bytes > 48 * 1024) ++counters->shared_opt_ins;
    return nullptr;
  }
  aotc::runtime::StatusPtr launch(void* function, const aotc_launch_config& config, void** params,
                                  bool overlap_previous) override {
    std::lock_guard lock(counters->mutex);
    FakeLaunch launch{function, config, {}, overlap_previous};
    // The runtime passes exactly one pointer per explicit argument; the test knows how many.
    launch.params.assign(params, params + expected_params);
    counters->launches.push_back(std::move(launch));
    return nullptr;
  }

  std::size_t expected_params = 0;

 private:
  aotc_backend kind_;
  std::vector<std::string> archs_;
  std::string library_ = "libfake.so";
};

}  // namespace aotc_test
