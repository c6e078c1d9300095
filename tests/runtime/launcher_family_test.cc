// The fixed parts of every generated launcher (aotc/launcher_support.h, aotc/launcher_family.h),
// tested as code through a hand-written family of two variants and two steps: what a generated
// <kernel>_launcher.cc supplies, written out. Launches through drivers are tested on generated
// launchers (tests/launcher), since they need code objects.
#include <aotc/launcher_family.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace toy {

using aotc::gen::Device;
using aotc::gen::Status;
using aotc::gen::StepPlan;
using aotc::gen::Vendor;

struct Key {
  std::int64_t block{};
  std::int64_t depth{};
};
struct Args {
  const void* in{};
  std::int32_t n{};
  void* workspace{};
};
struct VariantInfo {
  const char* name;
  Key key;
};
struct Plan {
  const char* variant = nullptr;
  std::uint64_t workspace_bytes = 0;
  std::array<StepPlan, 2> steps{};
};
struct Values {
  std::int64_t parts = 0;
};

const VariantInfo k_variants[] = {{"toy.b64.d1", {64, 1}}, {"toy.b128.d1", {128, 1}}};
const aotc::gen::detail::ImageFile k_images[] = {{"sm_90a", "cubin", "sm_90a/toy.b64.d1.cubin"},
                                                 {"sm_90a", "cubin", "sm_90a/toy.b128.d1.cubin"}};
const std::uint32_t k_first_image[] = {0, 1, 2};
const aotc_arg_layout k_layout_0[] = {{0, 8}, {8, 4}, {16, 8}};
const aotc::gen::detail::StepTable k_steps[] = {{"toy_main", 0, k_layout_0, 3, 24, 0},
                                                {"toy_reduce", 0, nullptr, 0, 0, 0}};

std::string to_string(const Key& key) {
  return "block=" + std::to_string(key.block) + " depth=" + std::to_string(key.depth);
}

// parts = ceil_div(n, block) on AMD, n / 0 on NVIDIA (to see a failure's message); the reduce step
// runs when parts > 1.
struct Family {
  using Key = toy::Key;
  using Args = toy::Args;
  using Plan = toy::Plan;
  using Values = toy::Values;
  using VariantInfo = toy::VariantInfo;
  static constexpr const char* k_kernel = "toy";
  static constexpr std::size_t k_variant_count = 2;
  static constexpr std::size_t k_group_count = 1;
  static constexpr std::size_t k_step_count = 2;
  static constexpr std::size_t k_max_images = 1;
  static constexpr std::size_t k_max_buffer = 24;
  static constexpr bool k_reads_device = false;
  static constexpr bool k_per_vendor = false;
  static constexpr const VariantInfo (&k_variants)[k_variant_count] = toy::k_variants;
  static constexpr const aotc::gen::detail::ImageFile* k_images = toy::k_images;
  static constexpr const std::uint32_t* k_first_image = toy::k_first_image;
  static constexpr const aotc::gen::detail::StepTable* k_steps = toy::k_steps;

  static int find(const Key& key) {
    if (key.depth != 1) return -1;
    return key.block == 64 ? 0 : key.block == 128 ? 1 : -1;
  }
  static int differing(const Key& a, const Key& b) {
    return (a.block != b.block) + (a.depth != b.depth);
  }
  static std::string key_string(const Key& key) { return to_string(key); }
  static const aotc::gen::detail::EmbeddedImage* embedded() { return nullptr; }
  static const void* workspace(const Args& a) { return a.workspace; }
  static void compute(std::size_t v, const Args& a, const Device& d, Values* x, Plan* p,
                      aotc::gen::detail::Eval& e) {
    e.at = "launch.values.parts";
    x->parts =
        d.vendor == Vendor::nvidia ? e.divide(a.n, 0) : e.ceil_div(a.n, k_variants[v].key.block);
    e.at = "launch.workspace_bytes";
    p->workspace_bytes = e.bytes64(e.multiply(x->parts, 4));
    p->steps[0] = StepPlan{"toy_main", true, {e.dimension(x->parts), 1, 1}, {64, 1, 1}, 0};
    p->steps[1] = StepPlan{"toy_reduce", x->parts > 1, {1, 1, 1}, {32, 1, 1}, 0};
  }
  static void pack(std::size_t, std::size_t step, const Args& a, const Values&, unsigned char* b) {
    if (step != 0) return;
    aotc::gen::detail::put<const void*>(b, a.in);
    aotc::gen::detail::put<std::int32_t>(b + 8, a.n);
    aotc::gen::detail::put<void*>(b + 16, a.workspace);
  }
};

using L = aotc::gen::detail::Launcher<Family>;

}  // namespace toy

using aotc::gen::Device;
using aotc::gen::Status;
using aotc::gen::Vendor;

TEST_CASE("launcher family: plans name kernel, variant and device in their errors") {
  toy::Plan plan;
  Device amd;
  amd.vendor = Vendor::amd;
  REQUIRE(toy::L::plan({128, 1}, toy::Args{nullptr, 1000, nullptr}, amd, &plan).ok());
  CHECK(std::string(plan.variant) == "toy.b128.d1");
  CHECK(plan.workspace_bytes == 32);  // ceil_div(1000, 128) = 8 parts of 4 bytes
  CHECK(plan.steps[0].grid[0] == 8);
  CHECK(plan.steps[1].run);

  Device nvidia;
  nvidia.vendor = Vendor::nvidia;
  const Status s = toy::L::plan({64, 1}, toy::Args{nullptr, 7, nullptr}, nvidia, &plan);
  CHECK(s.code() == AOTC_ERROR_INVALID_ARGUMENT);
  CHECK(s.message() ==
        "toy: variant toy.b64.d1 on the given Device (vendor nvidia): launch.values.parts: "
        "division by zero (value 7)");
}

TEST_CASE("launcher family: an unknown key lists the nearest built keys") {
  toy::Plan plan;
  const Status s = toy::L::plan({256, 1}, toy::Args{}, Device{}, &plan);
  CHECK(s.code() == AOTC_ERROR_INVALID_ARGUMENT);
  CHECK(s.message() ==
        "toy: no variant was built for {block=256 depth=1}; nearest built keys (1 axis differs):\n"
        "  {block=64 depth=1} (toy.b64.d1)\n  {block=128 depth=1} (toy.b128.d1)");
  CHECK(toy::L::unknown_key({256, 2}).message().find("(2 axes differ)") != std::string::npos);
}

TEST_CASE("launcher family: workspace_bytes needs no driver for a rule without device reads") {
  // A driver that cannot load: touching it would be AOTC_ERROR_NO_DRIVER.
  setenv("AOTC_BACKEND", "cuda", 1);
  setenv("AOTC_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
  std::uint64_t bytes = 0;
  const Status s = toy::L::workspace_bytes({64, 1}, toy::Args{nullptr, 1000, nullptr}, &bytes);
  unsetenv("AOTC_BACKEND");
  unsetenv("AOTC_CUDA_LIBRARY");
  INFO(s.message());
  CHECK(s.ok());
  CHECK(bytes == 64);  // ceil_div(1000, 64) = 16 parts of 4 bytes
}

TEST_CASE("launcher family: the kernel directory is set_kernel_dir's, else $AOTC_KERNEL_DIR") {
  setenv("AOTC_KERNEL_DIR", "/from/env", 1);
  aotc::gen::set_kernel_dir(nullptr);
  CHECK(aotc::gen::detail::kernel_dir() == "/from/env");
  aotc::gen::set_kernel_dir("/from/call");
  CHECK(aotc::gen::detail::kernel_dir() == "/from/call");
  aotc::gen::set_kernel_dir(nullptr);
  unsetenv("AOTC_KERNEL_DIR");
  // Nothing built in: a launcher embeds no path of the machine that generated it.
  CHECK(aotc::gen::detail::kernel_dir().empty());
}

TEST_CASE("launcher family: checked arithmetic reports the first failure with its rule path") {
  aotc::gen::detail::Eval e;
  e.at = "launch.values.a";
  CHECK(e.ceil_div(-7, 2) == -3);
  CHECK(e.ceil_div(7, 2) == 4);
  CHECK_FALSE(e.failed());
  e.multiply(std::int64_t{1} << 62, 4);
  e.at = "launch.values.b";
  e.divide(1, 0);  // a later failure does not replace the first
  REQUIRE(e.failed());
  CHECK(e.status("where").message() ==
        "where: launch.values.a: integer overflow (value 4611686018427387904)");

  aotc::gen::detail::Eval range;
  range.at = "launch.steps[0].grid[0]";
  CHECK(range.dimension(0) == 1);
  CHECK(range.status("w").message() ==
        "w: launch.steps[0].grid[0]: value below the allowed range (value 0)");

  aotc::gen::detail::Eval vendor;
  vendor.at = "launch.steps[0].block[0]";
  vendor.no_expression_for(Vendor::unknown);
  CHECK(vendor.status("w").message() ==
        "w: launch.steps[0].block[0]: the rule differs per vendor: Device::vendor must be amd or "
        "nvidia");
}

TEST_CASE("launcher family: arguments are stored at their offsets whatever the alignment") {
  unsigned char buffer[16] = {};
  aotc::gen::detail::put<std::int32_t>(buffer + 3, std::int64_t{-2});
  std::int32_t read = 0;
  std::memcpy(&read, buffer + 3, 4);
  CHECK(read == -2);
  CHECK(Status(AOTC_ERROR_DRIVER, "x").with_context("k: variant v").message() == "k: variant v: x");
  CHECK(Status().with_context("ignored").ok());
}
