// Slow (ctest label "slow"): builds one pa_decode variant of the default matrix for gfx942 and
// sm_90a, generates its launcher, and compiles and runs examples/decode_step against it. Checks the
// real pa_decode launch rule against the real code objects' metadata and that the example, with no
// GPU, says so and prints what it would have run. The pa_decode launch-overhead benchmark
// (tests/launcher/data/pa_decode_overhead_bench.cc, run on a GPU) is compiled against the same
// launcher, so an API change that breaks it fails here.
#include <catch2/catch.hpp>
#include <map>

#include "core/atomic_file.h"
#include "launcher/expression_eval.h"
#include "launcher/launch_rule.h"
#include "launcher/launcher_fixture.h"
#include "launcher/launcher_generator.h"
#include "matrix/matrix_parse.h"
#include "tool_skip.h"

using namespace aotc;
using nlohmann::json;

TEST_CASE(
    "examples/decode_step builds on the default matrix's pa_decode launcher and explains itself "
    "without a GPU") {
  if (!test::find_tool("clang-22")) {
    aotc::test::missing_tool("clang-22: cannot build pa_decode");
    return;
  }
  // The default matrix built for one variant, beside a copy of kernels/ (matrix paths must stay
  // inside the matrix's folder).
  const std::filesystem::path dir = test::fresh_dir("decode_step_example");
  std::filesystem::copy(AOTC_SOURCE_DIR "/kernels", dir / "kernels",
                        std::filesystem::copy_options::recursive);
  Result<std::string> text = read_file_text(AOTC_SOURCE_DIR "/build-matrix.json");
  REQUIRE(text.ok());
  // ordered_json: axis order is the key's field order. `include` keeps every axis value (so the
  // generated Key and enums are the full matrix's) but builds one variant.
  nlohmann::ordered_json matrix = nlohmann::ordered_json::parse(*text);
  matrix["kernels"][0]["include"] = nlohmann::ordered_json::parse(
      R"([{"kv_dtype": ["bf16"], "block_size": [16], "query_len": [1], "heads": [[64, 8]]}])");
  matrix["targets"] = {"gfx942", "sm_90a"};
  REQUIRE(write_file_atomic(dir / "build-matrix.json", matrix.dump(2)).ok());

  const test::CommandResult built =
      test::run_command(test::shell_quote(AOTC_EXE) + " build " +
                        test::shell_quote((dir / "build-matrix.json").string()) + " -o " +
                        test::shell_quote((dir / "out").string()) + " --cache-dir " +
                        test::shell_quote(AOTC_BINARY_DIR "/aotc-cache"));
  INFO(built.output);
  REQUIRE(built.exit_code == 0);
  Result<std::string> manifest_text = read_file_text(dir / "out/manifest.json");
  REQUIRE(manifest_text.ok());
  json manifest = json::parse(*manifest_text);
  test::fill_metadata(manifest, dir / "out");
  Result<Matrix> m = load_matrix(dir / "build-matrix.json");
  REQUIRE(m.ok());
  Result<std::vector<std::filesystem::path>> files =
      test::generate_from_manifest(*m, manifest, dir / "out");
  INFO((files ? "" : files.error().message));
  REQUIRE(files.ok());

  const std::string src = AOTC_SOURCE_DIR;
  const std::string gen = (dir / "out/include/aotc").string();
  const std::filesystem::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  const std::string compile =
      test::driver_compiler("g++") + " -std=c++20 -O1 -Wall -Wextra -Werror -I" +
      (dir / "out/include").string() + " -I" + src + "/runtime/include -I" + src +
      "/tests/kernels " + src + "/examples/decode_step/decode_step.cc " + src +
      "/examples/decode_step/device_memory.cc " + src + "/tests/kernels/pa_reference.cc " + src +
      "/tests/kernels/pa_cases.cc " + gen + "/pa_decode_launcher.cc " + gen +
      "/pa_decode_embed.S " + runtime.string() + " -Wl,-rpath," + runtime.parent_path().string() +
      " -ldl -o " + (dir / "decode_step").string();
  const test::CommandResult compiled = test::run_command(compile);
  INFO(compile << "\n" << compiled.output);
  REQUIRE(compiled.exit_code == 0);

  const std::string bench_compile =
      test::driver_compiler("g++") + " -std=c++17 -O2 -Wall -Wextra -Werror -I" +
      (dir / "out/include").string() + " -I" + src + "/runtime/include " + src +
      "/tests/launcher/data/pa_decode_overhead_bench.cc " + gen + "/pa_decode_launcher.cc " + gen +
      "/pa_decode_embed.S " + runtime.string() + " -Wl,-rpath," + runtime.parent_path().string() +
      " -ldl -o " + (dir / "pa_decode_overhead_bench").string();
  const test::CommandResult bench = test::run_command(bench_compile);
  INFO(bench_compile << "\n" << bench.output);
  REQUIRE(bench.exit_code == 0);
  const test::CommandResult bench_ran =
      test::run_command((dir / "pa_decode_overhead_bench").string() + " " +
                        (dir / "out/sm_90a/pa_decode.kv-bf16.bs16.q1.h64x8.d128.cubin").string());
  INFO(bench_ran.output);
  CHECK(bench_ran.exit_code == 2);  // no GPU here: it says what it needs instead of crashing
  CHECK_THAT(bench_ran.output, Catch::Contains("needs an NVIDIA GPU"));

  const test::CommandResult ran = test::run_command((dir / "decode_step").string());
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  CHECK_THAT(ran.output, Catch::Contains("code objects embedded in this binary"));
  CHECK_THAT(ran.output, Catch::Contains("no GPU found ("));
  CHECK_THAT(ran.output,
             Catch::Contains("variant pa_decode.kv-bf16.bs16.q1.h64x8.d128, workspace "));
  // What the example must print, from build-matrix.json's rule evaluated at build time by the
  // launcher library's evaluator (the example's figures come from the emitted C++): 4 sequences,
  // max_context_len 2048, the variant's defines, 132 multiprocessors.
  const KernelSpec& kernel = m->kernels[0];
  Result<launcher::LaunchRule> rule = launcher::validate_launch_rule(
      kernel.launch, kernel, launcher::kernel_vendors(*m, kernel), "build-matrix.json");
  REQUIRE(rule.ok());
  std::map<std::string, std::int64_t> known{
      {"num_seqs", 4}, {"max_context_len", 2048}, {"multiprocessor_count", 132}};
  for (const json& d : manifest["variants"][0]["defines"]) {
    const std::string text = d.get<std::string>();
    const std::size_t eq = text.find('=');
    if (text.find_first_not_of("0123456789", eq + 1) == std::string::npos) {
      known[text.substr(0, eq)] = std::stoll(text.substr(eq + 1));
    }
  }
  const launcher::SymbolValues values =
      [&](const launcher::Symbol& sym) -> std::optional<std::int64_t> {
    auto it = known.find(sym.name);
    return it == known.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  };
  // The example runs on NVIDIA (its default targets are sm_90a).
  const auto eval = [&](const launcher::RuleExpression& rule_expression) {
    const launcher::Expression& e = *rule_expression.for_vendor(Vendor::nvidia);
    Result<std::int64_t> v = launcher::evaluate_expression(e, values);
    INFO(e.text << ": " << (v ? "" : v.error().message));
    REQUIRE(v.ok());
    return *v;
  };
  for (const launcher::LaunchValue& v : rule->values) known[v.name] = eval(v.expression);
  REQUIRE(rule->workspace_bytes);
  CHECK_THAT(ran.output, Catch::Contains("workspace " +
                                         std::to_string(eval(*rule->workspace_bytes)) + " bytes"));
  for (const launcher::LaunchStep& step : rule->steps) {
    if (step.when && eval(*step.when) == 0) {
      CHECK_THAT(ran.output, Catch::Contains(step.entry + ": skipped"));
      continue;
    }
    CHECK_THAT(ran.output,
               Catch::Contains(step.entry + ": grid (" + std::to_string(eval(step.grid[0])) + ", " +
                               std::to_string(eval(step.grid[1])) + ", " +
                               std::to_string(eval(step.grid[2])) + "), block (" +
                               std::to_string(eval(step.block[0])) + ", " +
                               std::to_string(eval(step.block[1])) + ", " +
                               std::to_string(eval(step.block[2])) + ")"));
  }
}
