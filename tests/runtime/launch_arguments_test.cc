// aotc_launch through a fake driver: layouts checked against real code objects' metadata,
// kernelParams pointing into the caller's buffer, and the checks made before any driver call.
#include <catch2/catch.hpp>
#include <cstddef>

#include "fake_backend.h"
#include "runtime_internal.h"
#include "test_kernels.h"
#include "tool_skip.h"

namespace {

struct RuntimeFree {
  void operator()(aotc_runtime* runtime) const { aotc_runtime_close(runtime); }
};

// fill(double* out, char tag, double value, int n), packed the way a C struct packs it.
struct FillArgs {
  double* out;
  char tag;
  double value;
  int n;
};
const aotc_arg_layout kFillLayout[] = {{offsetof(FillArgs, out), 8},
                                       {offsetof(FillArgs, tag), 1},
                                       {offsetof(FillArgs, value), 8},
                                       {offsetof(FillArgs, n), 4}};

struct Launcher {
  std::shared_ptr<aotc_test::FakeBackend::Counters> counters;
  std::unique_ptr<aotc_runtime, RuntimeFree> runtime;
  aotc_module* module = nullptr;
  std::string path;

  // A runtime over a fake driver of `kind` with one device of `arch`, and a module holding the
  // code object `key` (a test_kernels.h key). False when the tools to build it are missing.
  bool open(aotc_backend kind, const std::string& arch, const std::string& key, const char* target,
            const char* format) {
    auto file = aotc_test::kernel_file(key);
    if (file.empty()) {
      aotc::test::missing_tool(aotc_test::missing_tool_for(key));
      return false;
    }
    path = file.string();
    auto backend = std::make_unique<aotc_test::FakeBackend>(kind, std::vector<std::string>{arch});
    backend->expected_params = 4;
    counters = backend->counters;
    runtime.reset(aotc::runtime::create_runtime(std::move(backend)));
    aotc_image image{target, format, nullptr, 0, path.c_str()};
    REQUIRE(aotc_module_create(runtime.get(), "fill.test", &image, 1, &module) == nullptr);
    return true;
  }

  aotc_kernel* kernel(const char* entry) {
    aotc_kernel* kernel = nullptr;
    REQUIRE(aotc_module_get_kernel(module, entry, &kernel) == nullptr);
    return kernel;
  }
};

std::string take_message(aotc_status status, aotc_status_code expected_code) {
  REQUIRE(status != nullptr);
  CHECK(aotc_status_get_code(status) == expected_code);
  std::string message = aotc_status_message(status);
  aotc_status_free(status);
  return message;
}

const aotc_launch_config kConfig{{2, 1, 1}, {64, 1, 1}, 0, nullptr};

// Runs the same checks for every kind of code object the runtime reads layouts from.
void check_fill_launches(Launcher& l) {
  aotc_kernel* fill = l.kernel("fill");
  double out[4];
  FillArgs args{out, 'x', 2.5, 4};
  REQUIRE(aotc_launch(fill, &kConfig, &args, kFillLayout, 4) == nullptr);
  REQUIRE(l.counters->launches.size() == 1);
  const auto& params = l.counters->launches[0].params;
  CHECK(params[0] == &args.out);
  CHECK(params[1] == &args.tag);
  CHECK(params[2] == &args.value);
  CHECK(params[3] == &args.n);
  CHECK(*static_cast<double*>(params[2]) == 2.5);

  // The double passed where the code object has a char: refused before the driver is called.
  aotc_arg_layout wrong_size[] = {{0, 8}, {8, 8}, {16, 8}, {24, 4}};
  std::string message =
      take_message(aotc_launch(fill, &kConfig, &args, wrong_size, 4), AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(message, Catch::Contains("kernel fill") && Catch::Contains("fill.test") &&
                          Catch::Contains("device 0") && Catch::Contains("argument 1") &&
                          Catch::Contains("expected offset 8 size 1") &&
                          Catch::Contains("found offset 8 size 8"));
  aotc_arg_layout wrong_offset[] = {{0, 8}, {8, 1}, {12, 8}, {24, 4}};
  message = take_message(aotc_launch(fill, &kConfig, &args, wrong_offset, 4),
                         AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(message, Catch::Contains("argument 2") && Catch::Contains("expected offset 16"));
  message =
      take_message(aotc_launch(fill, &kConfig, &args, kFillLayout, 3), AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(message, Catch::Contains("argument count") && Catch::Contains("has 4") &&
                          Catch::Contains("passes 3"));
  CHECK(l.counters->launches.size() == 1);
}

}  // namespace

TEST_CASE("AMD: launches are checked against the hsaco's explicit arguments") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_HIP, "gfx942:sramecc+:xnack-", "gfx942", "gfx942", "hsaco")) return;
  check_fill_launches(l);
}

TEST_CASE("NVIDIA: launches are checked against the cubin's parameter info") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_CUDA, "sm_90", "sm_90a.cubin", "sm_90a", "cubin")) return;
  check_fill_launches(l);
}

TEST_CASE("NVIDIA: launches are checked against the PTX .entry parameters") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_CUDA, "sm_90", "sm_90a.ptx", "sm_90a", "ptx")) return;
  check_fill_launches(l);
  std::lock_guard lock(l.counters->mutex);
  CHECK(l.counters->loaded_formats == std::vector<std::string>{"text"});
}

TEST_CASE("zero grid or block dimensions are refused before the driver is involved") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_HIP, "gfx942", "gfx942", "gfx942", "hsaco")) return;
  aotc_kernel* fill = l.kernel("fill");
  FillArgs args{nullptr, 0, 0.0, 0};
  aotc_launch_config zero_grid{{1, 0, 1}, {64, 1, 1}, 0, nullptr};
  CHECK_THAT(take_message(aotc_launch(fill, &zero_grid, &args, kFillLayout, 4),
                          AOTC_ERROR_INVALID_ARGUMENT),
             Catch::Contains("grid [1, 0, 1]") && Catch::Contains("kernel fill"));
  aotc_launch_config zero_block{{1, 1, 1}, {0, 1, 1}, 0, nullptr};
  CHECK_THAT(take_message(aotc_launch(fill, &zero_block, &args, kFillLayout, 4),
                          AOTC_ERROR_INVALID_ARGUMENT),
             Catch::Contains("block [0, 1, 1]"));
  CHECK(l.counters->loads == 0);
  CHECK(l.counters->launches.empty());
}

TEST_CASE("an entry the code object lacks is named with the entries it has") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_HIP, "gfx942", "gfx942", "gfx942", "hsaco")) return;
  FillArgs args{};
  std::string message = take_message(aotc_launch(l.kernel("fil"), &kConfig, &args, kFillLayout, 4),
                                     AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(message, Catch::Contains("no kernel fil;") && Catch::Contains("fill, saxpy"));
}

TEST_CASE("dynamic shared memory above the default limit is opted into once") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_CUDA, "sm_90", "sm_90a.ptx", "sm_90a", "ptx")) return;
  aotc_kernel* fill = l.kernel("fill");
  FillArgs args{};
  aotc_launch_config config = kConfig;
  for (uint32_t bytes : {1024u, 100u * 1024, 100u * 1024, 64u * 1024, 200u * 1024}) {
    config.shared_bytes = bytes;
    REQUIRE(aotc_launch(fill, &config, &args, kFillLayout, 4) == nullptr);
  }
  // 100 KiB once, then 200 KiB: each new maximum once, nothing for smaller amounts.
  CHECK(l.counters->shared_opt_ins == 2);
}

TEST_CASE("aotc_module_get_kernel refuses an entry that images given as bytes do not have") {
  // The case: a misspelt entry was accepted and failed only at launch.
  auto gfx942 = aotc_test::kernel_file("gfx942");
  auto bundle = aotc_test::kernel_file("bundle");
  auto cubin = aotc_test::kernel_file("sm_90a.cubin");
  if (gfx942.empty() || bundle.empty() || cubin.empty()) {
    aotc::test::missing_tool(
        aotc_test::missing_tool_for(gfx942.empty() ? "gfx942" : "sm_90a.cubin"));
    return;
  }
  const auto hsaco_bytes = aotc_test::read_bytes(gfx942);
  const auto bundle_bytes = aotc_test::read_bytes(bundle);
  const auto cubin_bytes = aotc_test::read_bytes(cubin);
  std::unique_ptr<aotc_runtime, RuntimeFree> runtime(aotc::runtime::create_runtime(
      std::make_unique<aotc_test::FakeBackend>(AOTC_BACKEND_HIP, std::vector<std::string>{})));
  const aotc_image images[] = {
      {"gfx942", "hsaco", hsaco_bytes.data(), hsaco_bytes.size(), nullptr},
      {nullptr, "bundle", bundle_bytes.data(), bundle_bytes.size(), nullptr},
      {"sm_90a", "cubin", cubin_bytes.data(), cubin_bytes.size(), nullptr}};
  aotc_module* module = nullptr;
  REQUIRE(aotc_module_create(runtime.get(), "saxpy.test", images, 3, &module) == nullptr);
  aotc_kernel* kernel = nullptr;
  // No device is needed: the runtime has none.
  CHECK(aotc_module_get_kernel(module, "saxpy", &kernel) == nullptr);
  CHECK(kernel != nullptr);
  const std::string message =
      take_message(aotc_module_get_kernel(module, "saxpyy", &kernel), AOTC_ERROR_INVALID_ARGUMENT);
  CHECK(message ==
        "kernel saxpyy, variant saxpy.test: images[0] (gfx942 hsaco) has no kernel saxpyy; it has: "
        "fill, saxpy");
  // A bundle's device entries are read and checked too, and the entry is named.
  const aotc_image only_bundle[] = {
      {nullptr, "bundle", bundle_bytes.data(), bundle_bytes.size(), nullptr}};
  aotc_module* bundled = nullptr;
  REQUIRE(aotc_module_create(runtime.get(), "b", only_bundle, 1, &bundled) == nullptr);
  CHECK_THAT(
      take_message(aotc_module_get_kernel(bundled, "nope", &kernel), AOTC_ERROR_INVALID_ARGUMENT),
      Catch::Contains("images[0] (bundle entry hipv4-amdgcn-amd-amdhsa--") &&
          Catch::Contains("has no kernel nope"));
  // Images given by path are read only at the first load on a device.
  const std::string path = gfx942.string();
  const aotc_image by_path[] = {{"gfx942", "hsaco", nullptr, 0, path.c_str()}};
  aotc_module* lazy = nullptr;
  REQUIRE(aotc_module_create(runtime.get(), "lazy", by_path, 1, &lazy) == nullptr);
  CHECK(aotc_module_get_kernel(lazy, "nope", &kernel) == nullptr);
}

TEST_CASE(
    "AOTC_LAUNCH_OVERLAP_PREVIOUS reaches the driver only where the device overlaps launches") {
  // sm_90 overlaps launches, sm_80 and every HIP device do not: there the flag is a plain launch.
  // (The sm_80 image is the sm_90a PTX declared as sm_80: the fake driver reads only its entries.)
  struct Case {
    aotc_backend kind;
    const char* arch;
    const char* key;
    const char* target;
    const char* format;
    bool overlaps;
  };
  for (const Case& c : {Case{AOTC_BACKEND_CUDA, "sm_90", "sm_90a.ptx", "sm_90a", "ptx", true},
                        Case{AOTC_BACKEND_CUDA, "sm_80", "sm_90a.ptx", "sm_80", "ptx", false},
                        Case{AOTC_BACKEND_HIP, "gfx942", "gfx942", "gfx942", "hsaco", false}}) {
    INFO(c.arch);
    Launcher l;
    if (!l.open(c.kind, c.arch, c.key, c.target, c.format)) return;
    aotc_kernel* fill = l.kernel("fill");
    FillArgs args{};
    REQUIRE(aotc_launch_with_flags(fill, &kConfig, AOTC_LAUNCH_OVERLAP_PREVIOUS, &args, kFillLayout,
                                   4) == nullptr);
    REQUIRE(aotc_launch(fill, &kConfig, &args, kFillLayout, 4) == nullptr);
    std::lock_guard lock(l.counters->mutex);
    REQUIRE(l.counters->launches.size() == 2);
    CHECK(l.counters->launches[0].overlap_previous == c.overlaps);
    CHECK_FALSE(l.counters->launches[1].overlap_previous);
  }
}

TEST_CASE("unknown launch flags are refused before the driver is involved") {
  Launcher l;
  if (!l.open(AOTC_BACKEND_CUDA, "sm_90", "sm_90a.ptx", "sm_90a", "ptx")) return;
  FillArgs args{};
  const std::string message =
      take_message(aotc_launch_with_flags(l.kernel("fill"), &kConfig, 0x6, &args, kFillLayout, 4),
                   AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(message,
             Catch::Contains("kernel fill") && Catch::Contains("unknown launch flags 0x6"));
  CHECK(l.counters->launches.empty());
}
