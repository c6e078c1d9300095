// Slow (ctest label "slow"): builds one pa_decode variant of the default matrix for gfx942 and
// sm_90a, generates its launcher, and compiles and runs examples/decode_step against it. Checks the
// real pa_decode launch rule against the real code objects' metadata and that the example, with no
// GPU, says so and prints what it would have run.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/atomic_file.h"
#include "launcher/launcher_fixture.h"
#include "launcher/launcher_generator.h"
#include "matrix/matrix_parse.h"

using namespace aotc;
using nlohmann::json;

TEST_CASE("examples/decode_step builds on the default matrix's pa_decode launcher and explains itself without a GPU") {
  if (!test::find_tool("clang-22")) {
    WARN("clang-22 not found: cannot build pa_decode");
    return;
  }
  // The default matrix built for one variant, beside a copy of kernels/ (matrix paths must stay inside
  // the matrix's folder).
  const std::filesystem::path dir = test::fresh_dir("decode_step_example");
  std::filesystem::copy(AOTC_SOURCE_DIR "/kernels", dir / "kernels", std::filesystem::copy_options::recursive);
  Result<std::string> text = read_file_text(AOTC_SOURCE_DIR "/build-matrix.json");
  REQUIRE(text.ok());
  // ordered_json: axis order is the key's field order. `include` keeps every axis value (so the
  // generated Key and enums are the full matrix's) but builds one variant.
  nlohmann::ordered_json matrix = nlohmann::ordered_json::parse(*text);
  matrix["kernels"][0]["include"] = nlohmann::ordered_json::parse(
      R"([{"kv_dtype": ["bf16"], "block_size": [16], "query_len": [1], "heads": [[64, 8]]}])");
  matrix["targets"] = {"gfx942", "sm_90a"};
  REQUIRE(write_file_atomic(dir / "build-matrix.json", matrix.dump(2)).ok());

  const test::CommandResult built = test::run_command(test::shell_quote(AOTC_EXE) + " build " +
                                                      test::shell_quote((dir / "build-matrix.json").string()) +
                                                      " -o " + test::shell_quote((dir / "out").string()));
  INFO(built.output);
  REQUIRE(built.exit_code == 0);
  Result<std::string> manifest_text = read_file_text(dir / "out/manifest.json");
  REQUIRE(manifest_text.ok());
  json manifest = json::parse(*manifest_text);
  test::fill_metadata(manifest, dir / "out");
  Result<Matrix> m = load_matrix(dir / "build-matrix.json");
  REQUIRE(m.ok());
  Result<std::vector<std::filesystem::path>> files = generate_launchers(*m, manifest, dir / "out");
  INFO((files ? "" : files.error().message));
  REQUIRE(files.ok());

  const std::string src = AOTC_SOURCE_DIR;
  const std::string gen = (dir / "out/include/aotc").string();
  const std::filesystem::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  const std::string compile =
      "g++ -std=c++20 -O1 -Wall -Wextra -Werror -I" + (dir / "out/include").string() + " -I" + src +
      "/runtime/include -I" + src + "/tests/kernels " + src + "/examples/decode_step/decode_step.cc " + src +
      "/examples/decode_step/device_memory.cc " + src + "/tests/kernels/pa_reference.cc " + src +
      "/tests/kernels/pa_cases.cc " + gen + "/pa_decode_launcher.cc " + gen + "/pa_decode_embed.S " +
      runtime.string() + " -Wl,-rpath," + runtime.parent_path().string() + " -ldl -o " + (dir / "decode_step").string();
  const test::CommandResult compiled = test::run_command(compile);
  INFO(compile << "\n" << compiled.output);
  REQUIRE(compiled.exit_code == 0);

  const test::CommandResult ran = test::run_command((dir / "decode_step").string());
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  CHECK_THAT(ran.output, Catch::Contains("code objects embedded in this binary"));
  CHECK_THAT(ran.output, Catch::Contains("no GPU found ("));
  CHECK_THAT(ran.output, Catch::Contains("variant pa_decode.kv-bf16.bs16.q1.h64x8.d128, workspace "));
  // build-matrix.json's rule for 4 sequences, max_context_len 2048, 8 KV heads, 132 multiprocessors:
  // num_partitions = min(max(1, ceil_div(2048, 256)), max(1, ceil_div(2 * 132, 4 * 8))) = min(8, 9).
  const int partitions = std::min(std::max(1, (2048 + 255) / 256), std::max(1, (2 * 132 + 31) / 32));
  CHECK_THAT(ran.output, Catch::Contains("pa_decode_attention: grid (" + std::to_string(partitions) + ", 8, 4)"));
  CHECK_THAT(ran.output, Catch::Contains("pa_decode_reduce: grid (" + std::to_string(4 * 1 * 64) + ", 1, 1)"));
}
