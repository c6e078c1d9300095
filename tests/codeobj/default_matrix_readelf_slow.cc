// Every AMD code object `aotc build` makes of the default build-matrix.json: our metadata equals
// llvm-readelf-22 --notes field by field, the manifest records exactly what our reader reads from
// the file, and no kernel spills to scratch. Labelled "slow": ~100 compiles.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "codeobj/kernel_metadata.h"
#include "codeobj/kernel_metadata_json.h"
#include "codeobj/readelf_notes_check.h"
#include "codeobj/test_tools.h"
#include "tool_skip.h"

using namespace aotc::test;

TEST_CASE(
    "every AMD code object of the default matrix: metadata equals llvm-readelf-22 and the "
    "manifest") {
  if (!clang22() || !readelf22()) {
    aotc::test::missing_tool("clang-22 or llvm-readelf-22");
    return;
  }
  ScratchDir dir("default-matrix-readelf");
  const std::filesystem::path out = dir / "out";
  // The cache the examples and the main job share (README): compiled once per build tree.
  auto build = run_command(std::string(AOTC_EXE) + " build " + AOTC_SOURCE_DIR +
                           "/build-matrix.json --targets gfx942,gfx950 -o " + out.string() +
                           " --cache-dir " AOTC_BINARY_DIR "/aotc-cache");
  INFO(build.output);
  REQUIRE(build.exit_code == 0);
  auto manifest = nlohmann::json::parse(read_bytes(out / "manifest.json"));
  std::size_t checked = 0;
  for (const auto& variant : manifest.at("variants")) {
    for (const auto& object : variant.at("objects")) {
      REQUIRE(object.at("vendor") == "amd");
      const std::filesystem::path file = out / object.at("file").get<std::string>();
      INFO(file.string());
      check_against_readelf(file);
      auto ours = aotc::codeobj::read_kernel_metadata(read_bytes(file), "hsaco");
      REQUIRE(ours.ok());
      CHECK(object.at("metadata") == aotc::codeobj::to_json(*ours));
      for (const auto& kernel : object.at("metadata").at("kernels")) {
        INFO(kernel.at("name").get<std::string>());
        CHECK(kernel.at("vgpr_spill_count") == 0);
        CHECK(kernel.at("private_segment_size") == 0);
      }
      ++checked;
    }
  }
  CHECK(checked == 2 * manifest.at("variants").size());
}
