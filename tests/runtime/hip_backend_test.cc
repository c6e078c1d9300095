// The real HIP backend (dlopen, symbol table, ROCm 6 and ROCm 5 property layouts, kernelParams)
// against a stand-in libamdhip64 built from data/fake_hip.c, chosen with AOTC_HIP_LIBRARY.
#include <dlfcn.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "aotc/runtime.h"
#include "test_kernels.h"
#include "tool_skip.h"

namespace {

struct ScopedEnv {
  std::string name;
  ScopedEnv(const char* n, const std::string& value) : name(n) { ::setenv(n, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

using LastLaunch = int (*)(unsigned*, unsigned*, unsigned*, float*);

struct SaxpyArgs {
  void* y;
  const void* x;
  float a;
  int n;
};
const aotc_arg_layout kSaxpyLayout[] = {{0, 8}, {8, 8}, {16, 4}, {20, 4}};

// Opens the runtime over one stand-in library, launches saxpy once and returns the arch the
// backend read; checks what reached hipModuleLaunchKernel.
std::string open_and_launch(const std::string& library_key) {
  auto library = aotc_test::kernel_file(library_key);
  auto gfx942 = aotc_test::kernel_file("gfx942");
  auto gfx90a = aotc_test::kernel_file("gfx90a");
  if (library.empty() || gfx942.empty() || gfx90a.empty()) {
    aotc::test::missing_tool("cc or clang-22 (builds the stand-in libamdhip64 and code objects)");
    return "";
  }
  ScopedEnv env("AOTC_HIP_LIBRARY", library.string());
  aotc_runtime* runtime = nullptr;
  aotc_status status = aotc_runtime_open(AOTC_BACKEND_HIP, &runtime);
  INFO((status ? aotc_status_message(status) : "opened"));
  REQUIRE(status == nullptr);
  aotc_device_info info;
  REQUIRE(aotc_current_device(runtime, &info) == nullptr);
  CHECK(info.multiprocessor_count == 304);
  CHECK(info.warp_size == 64);
  CHECK(info.max_shared_per_block == 65536);

  std::string paths[] = {gfx942.string(), gfx90a.string()};
  aotc_image images[] = {{"gfx942", "hsaco", nullptr, 0, paths[0].c_str()},
                         {"gfx90a", "hsaco", nullptr, 0, paths[1].c_str()}};
  aotc_module* module = nullptr;
  aotc_kernel* kernel = nullptr;
  REQUIRE(aotc_module_create(runtime, "saxpy.fake", images, 2, &module) == nullptr);
  REQUIRE(aotc_module_get_kernel(module, "saxpy", &kernel) == nullptr);
  SaxpyArgs args{nullptr, nullptr, 2.5f, 7};
  aotc_launch_config config{{3, 2, 1}, {64, 1, 1}, 512, nullptr};
  status = aotc_launch(kernel, &config, &args, kSaxpyLayout, 4);
  INFO((status ? aotc_status_message(status) : "launched"));
  REQUIRE(status == nullptr);

  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD);
  REQUIRE(handle != nullptr);
  auto last_launch = reinterpret_cast<LastLaunch>(dlsym(handle, "fake_hip_last_launch"));
  REQUIRE(last_launch != nullptr);
  unsigned grid[3], block[3], shared;
  float scalar = 0;
  CHECK(last_launch(grid, block, &shared, &scalar) == 1);
  CHECK((grid[0] == 3 && grid[1] == 2 && grid[2] == 1));
  CHECK(block[0] == 64);
  CHECK(shared == 512);
  CHECK(scalar == 2.5f);  // the 4-byte float the kernel reads, not a double
  std::string arch = info.arch;
  aotc_runtime_close(runtime);
  return arch;
}

}  // namespace

TEST_CASE(
    "HIP backend: the ROCm 6 property layout is read when hipGetDevicePropertiesR0600 exists") {
  std::string arch = open_and_launch("fake-hip-r0600.so");
  if (!arch.empty()) CHECK(arch == "gfx942:sramecc+:xnack-");
}

TEST_CASE("HIP backend: the ROCm 5 layout is read from hipGetDeviceProperties otherwise") {
  std::string arch = open_and_launch("fake-hip-r0500.so");
  if (!arch.empty()) CHECK(arch == "gfx90a:sramecc-:xnack-");
}

TEST_CASE("HIP backend: AOTC_HIP_LIBRARY naming a missing file is NO_DRIVER naming it") {
  ScopedEnv env("AOTC_HIP_LIBRARY", "/nonexistent/libamdhip64.so");
  aotc_runtime* runtime = nullptr;
  aotc_status status = aotc_runtime_open(AOTC_BACKEND_HIP, &runtime);
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == AOTC_ERROR_NO_DRIVER);
  CHECK_THAT(aotc_status_message(status), Catch::Contains("/nonexistent/libamdhip64.so ("));
  aotc_status_free(status);
}
