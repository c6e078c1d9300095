// Lazy, once-per-device loading through a fake driver and a real gfx942 / gfx90a code object.
#include <barrier>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "fake_backend.h"
#include "runtime_internal.h"
#include "test_kernels.h"
#include "tool_skip.h"

namespace {

struct RuntimeFree {
  void operator()(aotc_runtime* runtime) const { aotc_runtime_close(runtime); }
};
using RuntimePtr = std::unique_ptr<aotc_runtime, RuntimeFree>;

struct Fixture {
  std::shared_ptr<aotc_test::FakeBackend::Counters> counters;
  RuntimePtr runtime;
  aotc_module* module = nullptr;
  aotc_kernel* saxpy = nullptr;
};

// saxpy(float* y, const float* x, float a, int n): the layout clang gives it on AMD.
constexpr aotc_arg_layout kSaxpyLayout[] = {{0, 8}, {8, 8}, {16, 4}, {20, 4}};
struct SaxpyArgs {
  float* y;
  const float* x;
  float a;
  int n;
};

// A runtime over a fake HIP driver whose devices have `archs`, with one module holding
// gfx942 and gfx90a images. Empty when clang-22 is missing.
Fixture make_fixture(std::vector<std::string> archs) {
  Fixture f;
  auto gfx942 = aotc_test::kernel_file("gfx942");
  auto gfx90a = aotc_test::kernel_file("gfx90a");
  if (gfx942.empty() || gfx90a.empty()) return f;
  auto backend = std::make_unique<aotc_test::FakeBackend>(AOTC_BACKEND_HIP, std::move(archs));
  backend->expected_params = 4;
  f.counters = backend->counters;
  f.runtime.reset(aotc::runtime::create_runtime(std::move(backend)));
  static const std::string paths[] = {gfx942.string(), gfx90a.string()};
  const aotc_image images[] = {{"gfx942", "hsaco", nullptr, 0, paths[0].c_str()},
                               {"gfx90a", "hsaco", nullptr, 0, paths[1].c_str()}};
  REQUIRE(aotc_module_create(f.runtime.get(), "saxpy.test", images, 2, &f.module) == nullptr);
  REQUIRE(aotc_module_get_kernel(f.module, "saxpy", &f.saxpy) == nullptr);
  return f;
}

aotc_status launch_saxpy(aotc_kernel* kernel, SaxpyArgs* args) {
  aotc_launch_config config{{4, 1, 1}, {256, 1, 1}, 0, nullptr};
  return aotc_launch(kernel, &config, args, kSaxpyLayout, 4);
}

}  // namespace

#define REQUIRE_FIXTURE(f)                                               \
  if (!(f).runtime) {                                                    \
    aotc::test::missing_tool("clang-22 (builds the test code objects)"); \
    return;                                                              \
  }

TEST_CASE("modules load nothing until the first launch, then load once per device") {
  auto f = make_fixture({"gfx942:sramecc+:xnack-"});
  REQUIRE_FIXTURE(f);
  CHECK(f.counters->loads == 0);
  CHECK(aotc_module_load_count(f.module) == 0);
  SaxpyArgs args{nullptr, nullptr, 2.0f, 10};
  for (int i = 0; i < 5; ++i) REQUIRE(launch_saxpy(f.saxpy, &args) == nullptr);
  CHECK(f.counters->loads == 1);
  CHECK(f.counters->launches.size() == 5);
  // Device queries (launchers make one per launch) are answered from the first read.
  for (int i = 0; i < 3; ++i) {
    aotc_device_info info;
    REQUIRE(aotc_current_device(f.runtime.get(), &info) == nullptr);
    CHECK(std::string(info.arch) == "gfx942:sramecc+:xnack-");
    CHECK(info.multiprocessor_count == 104);
  }
  CHECK(f.counters->property_reads == 1);
}

TEST_CASE("threads racing to launch first on one device load exactly once") {
  auto f = make_fixture({"gfx942:sramecc+:xnack-"});
  REQUIRE_FIXTURE(f);
  f.counters->load_delay = std::chrono::milliseconds(50);
  constexpr int kThreads = 16;
  std::barrier start(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      SaxpyArgs args{nullptr, nullptr, 1.0f, 1};
      start.arrive_and_wait();
      if (aotc_status status = launch_saxpy(f.saxpy, &args)) {
        ++failures;
        aotc_status_free(status);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(f.counters->loads == 1);
  CHECK(aotc_module_load_count(f.module) == 1);
  CHECK(f.counters->launches.size() == kThreads);
}

TEST_CASE("each device loads its own image once, also when threads on both race") {
  auto f = make_fixture({"gfx942:sramecc+:xnack-", "gfx90a:sramecc-:xnack-"});
  REQUIRE_FIXTURE(f);
  f.counters->load_delay = std::chrono::milliseconds(20);
  constexpr int kThreads = 8;
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      aotc_test::FakeBackend::current_ordinal() = t % 2;
      SaxpyArgs args{nullptr, nullptr, 1.0f, 1};
      start.arrive_and_wait();
      if (aotc_status status = launch_saxpy(f.saxpy, &args)) {
        ++failures;
        aotc_status_free(status);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(f.counters->loads == 2);
  CHECK(aotc_module_load_count(f.module) == 2);
  // The two devices got different handles (the fake hands out its slot key).
  std::set<void*> functions;
  for (auto& launch : f.counters->launches) functions.insert(launch.function);
  CHECK(functions.size() == 2);
  // Tearing down unloads both.
  f.runtime.reset();
  CHECK(f.counters->unloads == 2);
}

TEST_CASE("two contexts on one device load once each; alternating launches use their own") {
  auto f = make_fixture({"gfx942:sramecc+:xnack-"});
  REQUIRE_FIXTURE(f);
  SaxpyArgs args{nullptr, nullptr, 1.0f, 1};
  std::vector<void*> expected;
  for (int i = 0; i < 6; ++i) {
    aotc_test::FakeBackend::current_context() = i % 2;
    expected.push_back(reinterpret_cast<void*>(aotc_test::FakeBackend::slot_key()));
    REQUIRE(launch_saxpy(f.saxpy, &args) == nullptr);
  }
  aotc_test::FakeBackend::current_context() = 0;
  CHECK(f.counters->loads == 2);
  CHECK(aotc_module_load_count(f.module) == 2);
  // The fake's function handle is its slot key: each launch went to the current context's.
  std::vector<void*> used;
  for (auto& launch : f.counters->launches) used.push_back(launch.function);
  CHECK(used == expected);
}

TEST_CASE(
    "a context made current only after the first launch elsewhere loads on its first launch") {
  auto f = make_fixture({"gfx942:sramecc+:xnack-", "gfx90a:sramecc-:xnack-"});
  REQUIRE_FIXTURE(f);
  SaxpyArgs args{nullptr, nullptr, 1.0f, 1};
  for (int i = 0; i < 3; ++i) REQUIRE(launch_saxpy(f.saxpy, &args) == nullptr);
  CHECK(f.counters->loads == 1);
  std::string error;  // Catch2 assertions are not thread-safe: report from the test's thread
  std::thread([&] {
    aotc_test::FakeBackend::current_ordinal() = 1;
    if (aotc_status status = launch_saxpy(f.saxpy, &args)) {
      error = aotc_status_message(status);
      aotc_status_free(status);
    }
  }).join();
  CHECK(error == "");
  CHECK(f.counters->loads == 2);
  REQUIRE(f.counters->launches.size() == 4);
  CHECK(f.counters->launches[3].function != f.counters->launches[0].function);
  std::lock_guard lock(f.counters->mutex);
  CHECK(f.counters->loaded_formats.size() == 2);
}

TEST_CASE("a failed load is reported with variant and device, and retried by the next launch") {
  auto f = make_fixture({"gfx942:sramecc+:xnack-"});
  REQUIRE_FIXTURE(f);
  f.counters->fail_next_loads = 1;
  SaxpyArgs args{nullptr, nullptr, 1.0f, 1};
  aotc_status status = launch_saxpy(f.saxpy, &args);
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_DRIVER);
  CHECK_THAT(aotc_status_message(status),
             Catch::Contains("saxpy.test") &&
                 Catch::Contains("device 0 (gfx942:sramecc+:xnack-)") &&
                 Catch::Contains("fakeErrorBusy") && Catch::Contains("kernel saxpy"));
  aotc_status_free(status);
  CHECK(launch_saxpy(f.saxpy, &args) == nullptr);
  CHECK(f.counters->loads == 1);
}

TEST_CASE("a device no image fits fails the launch with NO_CODE_OBJECT") {
  auto f = make_fixture({"gfx1100"});
  REQUIRE_FIXTURE(f);
  SaxpyArgs args{nullptr, nullptr, 1.0f, 1};
  aotc_status status = launch_saxpy(f.saxpy, &args);
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_CODE_OBJECT);
  CHECK_THAT(aotc_status_message(status),
             Catch::Contains("gfx1100") && Catch::Contains("gfx942 hsaco") &&
                 Catch::Contains("gfx90a hsaco") && Catch::Contains("saxpy.test"));
  aotc_status_free(status);
  CHECK(f.counters->loads == 0);
}
