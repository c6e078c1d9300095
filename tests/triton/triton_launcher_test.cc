// The generated launcher of a Triton family (the splitk_gemv example, built through the
// stand-in): one module per entry, Triton's hidden scratch pointers packed null after the rule's
// arguments, block = num_warps * warp size and Triton's dynamic shared memory per backend. The
// generated code is compiled and its plan() run for an AMD and an NVIDIA device (no GPU needed).
#include <fstream>

#include "launcher/launcher_fixture.h"
#include "triton/triton_test_support.h"

namespace fs = std::filesystem;

TEST_CASE("a Triton family's launcher passes the scratch pointers and Triton's launch shape",
          "[triton]") {
  aotc::test::TritonWorkspace ws("launcher");
  auto result = aotc::test::build(aotc::test::example_matrix(), ws / "out");
  INFO(result.output);
  REQUIRE(result.succeeded());
  auto source = aotc::read_file_text(ws / "out/include/aotc/splitk_gemv_launcher.cc");
  REQUIRE(source.ok());
  // The partial step: 7 rule arguments, then global and profile scratch at 40 and 48, launched
  // as 9 arguments from a zeroed buffer (so the scratch pointers are null).
  CHECK_THAT(*source,
             Catch::Contains("const aotc_arg_layout k_layout_0[] = {{0, 8}, {8, 8}, "
                             "{16, 8}, {24, 4}, {28, 4}, {32, 4}, {36, 4}, {40, 8}, {48, 8}};"));
  // Step table rows: {entry, module group, layout, argument count, buffer bytes, launch flags}.
  CHECK_THAT(*source, Catch::Contains("{\"splitk_gemv_partial\", 0, k_layout_0, 9, 56, 0},"));
  CHECK_THAT(*source, Catch::Contains(", 1, k_layout_1, 7, "));
  CHECK_THAT(*source, Catch::Contains("constexpr std::size_t k_group_count = 2;"));

  std::ofstream(ws / "driver.cc") << R"(
#include <aotc/splitk_gemv_launcher.h>
#include <cstdio>
namespace gen = aotc::gen::splitk_gemv;
int main() {
  gen::Key key{gen::Dtype::fp16, {{64, 64, 4}}};
  gen::Args args;
  args.M = 1000;
  args.K = 4096;
  args.stride_am = 4096;
  for (aotc::gen::Vendor vendor : {aotc::gen::Vendor::amd, aotc::gen::Vendor::nvidia}) {
    const bool amd = vendor == aotc::gen::Vendor::amd;
    aotc::gen::Device device{amd ? 304 : 132, amd ? 64 : 32, 65536, vendor};
    gen::Plan plan;
    aotc::gen::Status s = gen::plan(key, args, device, &plan);
    if (!s) { std::printf("%s\n", s.message().c_str()); return 1; }
    for (const auto& step : plan.steps) {
      std::printf("%s grid %u %u block %u shared %u\n", step.entry, step.grid[0], step.grid[1],
                  step.block[0], step.shared_bytes);
    }
    std::printf("workspace %llu\n", static_cast<unsigned long long>(plan.workspace_bytes));
  }
  return 0;
}
)";
  const fs::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  auto compiled = aotc::test::run_command(
      aotc::test::driver_compiler("g++") + " -std=c++17 -Wall -Wextra -Werror -I" +
      aotc::test::shell_quote((ws / "out/include").string()) + " -I" +
      aotc::test::shell_quote(std::string(AOTC_SOURCE_DIR) + "/runtime/include") + " " +
      aotc::test::shell_quote((ws / "driver.cc").string()) + " " +
      aotc::test::shell_quote((ws / "out/include/aotc/splitk_gemv_launcher.cc").string()) + " " +
      aotc::test::shell_quote(runtime.string()) + " -Wl,-rpath," +
      aotc::test::shell_quote(runtime.parent_path().string()) + " -o " +
      aotc::test::shell_quote((ws / "driver").string()));
  INFO(compiled.output);
  REQUIRE(compiled.exit_code == 0);
  auto ran = aotc::test::run_command(aotc::test::shell_quote((ws / "driver").string()));
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  // AMD: 304 CUs -> splits = min(64, ceil(608 / 16)) = 38, k_per_split 128 -> 32 splits;
  // 4 warps of 64; Triton's 256 bytes of LDS for the partial step, none for the reduce step.
  // NVIDIA: 132 SMs -> 17 splits -> 256 per split -> 16 splits; 4 warps of 32; 512 bytes.
  CHECK(ran.output ==
        "splitk_gemv_partial grid 16 32 block 256 shared 256\n"
        "splitk_gemv_reduce grid 16 1 block 256 shared 0\n"
        "workspace 128000\n"
        "splitk_gemv_partial grid 16 16 block 128 shared 512\n"
        "splitk_gemv_reduce grid 16 1 block 128 shared 0\n"
        "workspace 64000\n");
}
