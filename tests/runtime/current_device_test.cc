// aotc_current_device's per-thread memo (generated launchers ask on every launch): it must follow
// the calling thread's device and context, never answer for another thread, and never outlive
// the runtime that made it.
#include <catch2/catch.hpp>
#include <thread>

#include "fake_backend.h"
#include "runtime_internal.h"

namespace {

struct Fake {
  std::shared_ptr<aotc_test::FakeBackend::Counters> counters;
  aotc_runtime* runtime = nullptr;
};

Fake open_fake(aotc_backend kind, std::vector<std::string> archs) {
  auto backend = std::make_unique<aotc_test::FakeBackend>(kind, std::move(archs));
  Fake f{backend->counters, aotc::runtime::create_runtime(std::move(backend))};
  return f;
}

aotc_device_info query(aotc_runtime* runtime) {
  aotc_device_info info{};
  aotc_status status = aotc_current_device(runtime, &info);
  INFO((status ? aotc_status_message(status) : ""));
  REQUIRE(status == nullptr);
  return info;
}

// Resets the fake's per-thread device and context when a test ends, whatever it set.
struct CurrentDevice {
  CurrentDevice(int ordinal, int context) { set(ordinal, context); }
  ~CurrentDevice() { set(0, 0); }
  static void set(int ordinal, int context) {
    aotc_test::FakeBackend::current_ordinal() = ordinal;
    aotc_test::FakeBackend::current_context() = context;
  }
};

}  // namespace

TEST_CASE("aotc_current_device answers repeated queries without the full driver query") {
  Fake f = open_fake(AOTC_BACKEND_CUDA, {"sm_90", "sm_80"});
  CurrentDevice current(0, 0);
  CHECK(query(f.runtime).multiprocessor_count == 104);
  const int full_queries = f.counters->slot_queries;
  for (int i = 0; i < 10; ++i) CHECK(query(f.runtime).ordinal == 0);
  CHECK(f.counters->slot_queries == full_queries);
  aotc_runtime_close(f.runtime);
}

TEST_CASE("aotc_current_device follows the thread switching device and context") {
  Fake f = open_fake(AOTC_BACKEND_CUDA, {"sm_90", "sm_80"});
  CurrentDevice current(0, 0);
  for (int round = 0; round < 3; ++round) {
    CurrentDevice::set(0, 0);
    aotc_device_info info = query(f.runtime);
    CHECK(info.ordinal == 0);
    CHECK(info.multiprocessor_count == 104);
    CHECK(std::string(info.arch) == "sm_90");
    CurrentDevice::set(1, 0);
    info = query(f.runtime);
    CHECK(info.ordinal == 1);
    CHECK(info.multiprocessor_count == 114);
    CHECK(std::string(info.arch) == "sm_80");
    // A second context on device 1: another key, same device.
    CurrentDevice::set(1, 1);
    CHECK(query(f.runtime).multiprocessor_count == 114);
  }
  // Each switch took the full query; the properties were read once per device.
  CHECK(f.counters->slot_queries == 9);
  CHECK(f.counters->property_reads == 2);
  aotc_runtime_close(f.runtime);
}

TEST_CASE("aotc_current_device's memo is per thread") {
  Fake f = open_fake(AOTC_BACKEND_CUDA, {"sm_90", "sm_80"});
  CurrentDevice current(0, 0);
  CHECK(query(f.runtime).ordinal == 0);
  int other = -1;
  std::thread([&] {
    CurrentDevice on_one(1, 0);
    other = query(f.runtime).ordinal;
  }).join();
  CHECK(other == 1);
  CHECK(query(f.runtime).ordinal == 0);
  aotc_runtime_close(f.runtime);
}

TEST_CASE("aotc_current_device never answers from a closed runtime's memo") {
  CurrentDevice current(0, 0);
  // Same thread, same device key; the second runtime may even reuse the first one's address.
  Fake hip = open_fake(AOTC_BACKEND_HIP, {"gfx942:sramecc+:xnack-"});
  CHECK(query(hip.runtime).warp_size == 64);
  aotc_runtime_close(hip.runtime);
  Fake cuda = open_fake(AOTC_BACKEND_CUDA, {"sm_90"});
  aotc_device_info info = query(cuda.runtime);
  CHECK(info.warp_size == 32);
  CHECK(std::string(info.arch) == "sm_90");
  aotc_runtime_close(cuda.runtime);
}

TEST_CASE("aotc_current_device reports a driver without a device every time") {
  Fake f = open_fake(AOTC_BACKEND_CUDA, {});
  for (int i = 0; i < 2; ++i) {
    aotc_device_info info{};
    aotc_status status = aotc_current_device(f.runtime, &info);
    REQUIRE(status != nullptr);
    CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_DEVICE);
    aotc_status_free(status);
  }
  aotc_runtime_close(f.runtime);
}
