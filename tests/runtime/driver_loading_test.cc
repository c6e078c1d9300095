// The real dlopen paths on a machine without a GPU: Debian's libamdhip64 (ROCm 5.2) resolves
// and reports no device; a missing CUDA driver is reported with every library path tried.
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "aotc/runtime.h"
#include "tool_skip.h"

namespace {

bool library_loads(const char* name) {
  void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  return handle != nullptr;
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  ScopedEnv(const char* n, const char* value) : name(n) { ::setenv(n, value, 1); }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

std::string take_message(aotc_status status) {
  std::string message = aotc_status_message(status);
  aotc_status_free(status);
  return message;
}

}  // namespace

TEST_CASE("HIP: libamdhip64 resolves; without a GPU the runtime opens and reports no device") {
  if (!library_loads("libamdhip64.so") && !library_loads("libamdhip64.so.5")) {
    aotc::test::missing_tool("libamdhip64 (Debian's libamdhip64-dev)");
    return;
  }
  if (std::filesystem::exists("/dev/kfd")) {
    aotc::test::not_applicable("this machine has an AMD GPU driver (/dev/kfd)");
    return;
  }
  aotc_runtime* runtime = nullptr;
  aotc_status status = aotc_runtime_open(AOTC_BACKEND_HIP, &runtime);
  INFO((status ? aotc_status_message(status) : "opened"));
  REQUIRE(status == nullptr);
  CHECK(aotc_runtime_backend(runtime) == AOTC_BACKEND_HIP);
  int count = -1;
  REQUIRE(aotc_device_count(runtime, &count) == nullptr);
  CHECK(count == 0);
  aotc_device_info info;
  status = aotc_current_device(runtime, &info);
  REQUIRE(status != nullptr);
  // ROCm 5.2's hipInit returns hipErrorInvalidDevice when /dev/kfd is absent.
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_DEVICE);
  CHECK_THAT(take_message(status), Catch::Contains("libamdhip64") && Catch::Contains("no device") &&
                                       Catch::Contains("hipInit: hipErrorInvalidDevice (101)"));

  // A launch through that runtime fails the same way, naming the kernel and variant.
  aotc_module* module = nullptr;
  const char bytes[] =
      "\x7f"
      "ELF";
  aotc_image image{"gfx942", "hsaco", bytes, sizeof bytes, nullptr};
  REQUIRE(aotc_module_create(runtime, "v.test", &image, 1, &module) == nullptr);
  aotc_kernel* kernel = nullptr;
  REQUIRE(aotc_module_get_kernel(module, "k", &kernel) == nullptr);
  aotc_launch_config config{{1, 1, 1}, {1, 1, 1}, 0, nullptr};
  status = aotc_launch(kernel, &config, nullptr, nullptr, 0);
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_DEVICE);
  CHECK_THAT(take_message(status), Catch::Contains("kernel k") && Catch::Contains("v.test"));
  aotc_runtime_close(runtime);
}

TEST_CASE("CUDA: with no libcuda.so.1 the runtime fails with NO_DRIVER listing the paths tried") {
  if (library_loads("libcuda.so.1")) {
    aotc::test::not_applicable("this machine has a CUDA driver");
    return;
  }
  ScopedEnv backend("AOTC_BACKEND", "cuda");
  aotc_runtime* runtime = nullptr;
  aotc_status status = aotc_runtime_open(AOTC_BACKEND_AUTO, &runtime);
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_DRIVER);
  CHECK_THAT(take_message(status), Catch::Contains("CUDA driver") &&
                                       Catch::Contains("libcuda.so.1 (libcuda.so.1: cannot open"));
  CHECK(runtime == nullptr);
}

TEST_CASE("AOTC_BACKEND must name a backend") {
  ScopedEnv backend("AOTC_BACKEND", "rocm");
  aotc_runtime* runtime = nullptr;
  aotc_status status = aotc_runtime_open(AOTC_BACKEND_AUTO, &runtime);
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(take_message(status), Catch::Contains("AOTC_BACKEND=rocm"));
}

TEST_CASE("AUTO with no GPU settles on a driver that loaded, or says none did") {
  aotc_runtime* runtime = nullptr;
  aotc_status status = aotc_runtime_default(&runtime);
  bool hip = library_loads("libamdhip64.so") || library_loads("libamdhip64.so.5");
  bool cuda = library_loads("libcuda.so.1");
  if (!hip && !cuda) {
    REQUIRE(status != nullptr);
    CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_DRIVER);
    CHECK_THAT(take_message(status), Catch::Contains("HIP") && Catch::Contains("CUDA"));
    return;
  }
  REQUIRE(status == nullptr);
  aotc_runtime* again = nullptr;
  REQUIRE(aotc_runtime_default(&again) == nullptr);
  CHECK(again == runtime);
}

TEST_CASE("libaotc_runtime.so exports the C ABI and nothing else") {
  void* handle = dlopen(AOTC_RUNTIME_SHARED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(handle != nullptr);
  for (const char* name :
       {"aotc_runtime_open", "aotc_runtime_default", "aotc_runtime_close", "aotc_device_count",
        "aotc_current_device", "aotc_module_create", "aotc_module_get_kernel", "aotc_launch",
        "aotc_status_message", "aotc_status_get_code", "aotc_status_free"}) {
    INFO(name);
    CHECK(dlsym(handle, name) != nullptr);
  }
  // The C++ internals (here: the HIP backend factory) stay private.
  CHECK(dlsym(handle,
              "_ZN4aotc7runtime16open_hip_backendEPSt10unique_ptrINS0_7BackendESt14default_"
              "deleteIS2_EE") == nullptr);
}
