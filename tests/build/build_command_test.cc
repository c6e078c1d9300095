// `aotc build` end to end: the real binary compiling the test kernels with the real clang-22.
#include <catch2/catch.hpp>

#include "build_test_support.h"
#include "tool_skip.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

std::vector<std::string> build_args(const Workspace& workspace, const std::string& matrix,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"build",   (workspace / matrix).string(),
                                   "-o",      (workspace / "out").string(),
                                   "--clang", "clang-22",
                                   "-j",      "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

nlohmann::json summary_of(const Workspace& workspace) {
  return aotc::test::read_json(workspace / "out/manifest.json")["summary"];
}

// Names of the variants whose objects were compiled in the last build, from the status lines.
std::set<std::string> compiled_variants(const std::string& output) {
  std::set<std::string> names;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("[")) continue;
    std::istringstream words(line);
    std::string progress, target, name;
    words >> progress >> target >> name;
    names.insert(name);
  }
  return names;
}

}  // namespace

TEST_CASE("cold build, warm rebuild, and a header change recompiling only its includers",
          "[build][cache]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("cache-e2e");

  auto cold = run_aotc(build_args(workspace, "axpy.json"));
  INFO(cold.output);
  REQUIRE(cold.succeeded());
  CHECK(summary_of(workspace)["compiled"] == 4);
  CHECK(summary_of(workspace)["cached"] == 0);
  auto files = aotc::test::check_manifest_matches_files(workspace / "out");
  CHECK(files == std::set<std::string>{"gfx942/axpy.w1.s0.hsaco", "gfx942/axpy.w1.s1.hsaco",
                                       "gfx942/axpy.w4.s0.hsaco", "gfx942/axpy.w4.s1.hsaco"});
  // Each output is a real AMDGPU code object: ELF64 with e_machine EM_AMDGPU (224).
  auto bytes = aotc::read_file_bytes(workspace / "out/gfx942/axpy.w1.s0.hsaco");
  REQUIRE(bytes.ok());
  REQUIRE(bytes->size() > 20);
  CHECK(std::string(bytes->begin() + 1, bytes->begin() + 4) == "ELF");
  CHECK(((*bytes)[18] | ((*bytes)[19] << 8)) == 224);

  // A no-op may leave manifest.json as the cold build wrote it (build_state.h): read what it says.
  auto warm = run_aotc(build_args(workspace, "axpy.json"));
  REQUIRE(warm.succeeded());
  CHECK_THAT(warm.output, Catch::Contains(": 0 compiled, 4 cached, 0 failed"));
  CHECK(compiled_variants(warm.output).empty());

  // Only the s1 variants include scale.h.
  REQUIRE(aotc::write_file_atomic(
              workspace / "kernels/scale.h",
              "#pragma once\nTEST_DEVICE float scaled(float a) { return a * 0.25f; }\n")
              .ok());
  auto touched = run_aotc(build_args(workspace, "axpy.json"));
  INFO(touched.output);
  REQUIRE(touched.succeeded());
  CHECK(compiled_variants(touched.output) == std::set<std::string>{"axpy.w1.s1", "axpy.w4.s1"});
  CHECK(summary_of(workspace)["compiled"] == 2);
  CHECK(summary_of(workspace)["cached"] == 2);
  aotc::test::check_manifest_matches_files(workspace / "out");
}

TEST_CASE("a comment edit recompiles but changes no code object (compile ids are pinned)",
          "[build][cache]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("comment-edit");
  REQUIRE(run_aotc(build_args(workspace, "axpy.json")).succeeded());
  const auto before = aotc::test::read_json(workspace / "out/manifest.json");
  auto source = aotc::read_file_text(workspace / "kernels/axpy.hip");
  REQUIRE(source.ok());
  REQUIRE(aotc::write_file_atomic(workspace / "kernels/axpy.hip", "// edited\n" + *source).ok());
  auto rebuilt = run_aotc(build_args(workspace, "axpy.json"));
  INFO(rebuilt.output);
  REQUIRE(rebuilt.succeeded());
  const auto after = aotc::test::read_json(workspace / "out/manifest.json");
  CHECK(after["summary"]["compiled"] == 4);
  // clang's __hip_cuid_* symbol hashed the command line, which names per-build temporaries.
  for (std::size_t v = 0; v < before["variants"].size(); ++v) {
    CHECK(after["variants"][v]["objects"][0]["sha256"] ==
          before["variants"][v]["objects"][0]["sha256"]);
  }
}

TEST_CASE("a corrupted cache entry is rebuilt, never used", "[build][cache]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("corrupt");
  REQUIRE(run_aotc(build_args(workspace, "axpy.json", {"--targets", "gfx942"})).succeeded());
  std::size_t corrupted = 0;
  for (const auto& entry : fs::recursive_directory_iterator(workspace / "out/.cache/objects")) {
    if (entry.path().extension() != ".hsaco") continue;
    auto bytes = aotc::read_file_bytes(entry.path());
    REQUIRE(bytes.ok());
    (*bytes)[bytes->size() / 2] ^= 0xff;
    REQUIRE(aotc::write_file_atomic(entry.path(), *bytes).ok());
    ++corrupted;
  }
  REQUIRE(corrupted == 4);
  // out/ still holds verified copies, so nothing needs the damaged entries yet.
  auto untouched = run_aotc(build_args(workspace, "axpy.json"));
  REQUIRE(untouched.succeeded());
  CHECK(summary_of(workspace)["compiled"] == 0);
  // Once out/ lost its copies, the damaged entries must be rejected and recompiled.
  fs::remove_all(workspace / "out/gfx942");
  auto rebuilt = run_aotc(build_args(workspace, "axpy.json"));
  REQUIRE(rebuilt.succeeded());
  CHECK(summary_of(workspace)["compiled"] == 4);
  aotc::test::check_manifest_matches_files(workspace / "out");
}

TEST_CASE("a compile error in one variant: others built, diagnostics shown, exit non-zero",
          "[build]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("broken");
  auto result = run_aotc(build_args(workspace, "broken.json"));
  INFO(result.output);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output,
             Catch::Contains("FAILED: axpy.w0 [gfx942]: clang-22 exited with status 1"));
  CHECK_THAT(result.output,
             Catch::Contains("AXPY_WIDTH must be at least 1"));  // clang's diagnostic
  CHECK_THAT(result.output, Catch::Contains("-DAXPY_WIDTH=0"));  // the failing command
  CHECK_THAT(result.output, Catch::Contains("2 compiled, 0 cached, 1 failed"));
  CHECK(fs::exists(workspace / "out/gfx942/axpy.w1.hsaco"));
  CHECK(fs::exists(workspace / "out/gfx942/axpy.w2.hsaco"));
  CHECK_FALSE(fs::exists(workspace / "out/gfx942/axpy.w0.hsaco"));
  CHECK_FALSE(fs::exists(workspace / "out/manifest.json"));
  aotc::test::check_no_temporaries(workspace / "out");

  // Matrix order is w1, w0, w2: with one job at a time, w2 never starts.
  fs::remove_all(workspace / "out");
  auto fail_fast = run_aotc(build_args(workspace, "broken.json", {"--fail-fast", "-j", "1"}));
  INFO(fail_fast.output);
  CHECK(fail_fast.exit_code == 1);
  CHECK_THAT(fail_fast.output, Catch::Contains("stopped after the first failure (--fail-fast)"));
  CHECK(fs::exists(workspace / "out/gfx942/axpy.w1.hsaco"));
  CHECK_FALSE(fs::exists(workspace / "out/gfx942/axpy.w2.hsaco"));
}

TEST_CASE("a bad compiler path fails before anything is written", "[build]") {
  Workspace workspace("bad-clang");
  auto result =
      run_aotc({"build", (workspace / "axpy.json").string(), "-o", (workspace / "out").string(),
                "--clang", (workspace / "no-such-clang").string()});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Catch::Contains("--clang: " + (workspace / "no-such-clang").string() +
                                            ": no such executable"));
  CHECK_FALSE(fs::exists(workspace / "out"));
}

TEST_CASE("hostile matrices fail at load with one clear error each, writing nothing", "[build]") {
  Workspace workspace("hostile");
  auto build = [&](const std::string& name, const std::string& text) {
    REQUIRE(aotc::write_file_atomic(workspace / name, text).ok());
    return run_aotc({"build", (workspace / name).string(), "-o", (workspace / "out").string()});
  };
  // Nested ~66,000 levels deep: this was a SIGSEGV (recursion while quoting the value).
  auto deep = build("deep.json", std::string(66000, '[') + std::string(66000, ']'));
  CHECK(deep.exit_code == 1);
  CHECK(deep.term_signal == 0);
  CHECK_THAT(deep.output, Catch::Contains("deep.json:1:65: JSON too large to accept: nesting "
                                          "deeper than 64 levels"));

  nlohmann::json matrix = aotc::test::read_json(workspace / "axpy.json");
  matrix["kernels"][0]["launch"] = nlohmann::json::parse(R"({
    "params": [ { "name": "y", "type": "float*" }, { "name": "n", "type": "int32_t" } ],
    "values": { "blocks": "1 / 0" },
    "steps": [ { "entry": "axpy", "grid": ["blocks"], "block": [64], "args": ["y", "y", "n", "n"] } ]
  })");
  auto divides = build("divides.json", matrix.dump());
  CHECK(divides.exit_code == 1);
  CHECK_THAT(divides.output, Catch::Contains("divides.json: kernels[0].launch.values.blocks: "
                                             "division by zero in \"1 / 0\""));

  matrix["kernels"][0].erase("launch");
  matrix["kernels"][0]["axes"]["errno"] = matrix["kernels"][0]["axes"]["width"];
  matrix["kernels"][0]["axes"].erase("width");
  auto macro = build("macro.json", matrix.dump());
  CHECK(macro.exit_code == 1);
  CHECK_THAT(macro.output, Catch::Contains("macro.json: kernels[0].axes.errno: expected an axis "
                                           "name that is not a macro of the C/C++ standard "
                                           "headers"));
  CHECK_FALSE(fs::exists(workspace / "out"));
}

TEST_CASE("a target the compiler cannot build is refused before compiling", "[build]") {
  if (!aotc::find_executable("clang-19")) {
    aotc::test::missing_tool("clang-19");
    return;
  }
  Workspace workspace("clang19");
  auto clang = aotc::identify_clang("/usr/bin/clang-19");
  REQUIRE(clang.ok());
  // The test matrix, and the default matrix end to end (gfx942, gfx950, sm_90a).
  for (const fs::path& matrix :
       {workspace / "gfx950.json", fs::path(AOTC_SOURCE_DIR) / "build-matrix.json"}) {
    auto result = run_aotc({"build", matrix.string(), "-o", (workspace / "out").string(), "--clang",
                            "/usr/bin/clang-19"});
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains(matrix.filename().string() +
                                              ": gfx950 needs LLVM >= 20; found clang " +
                                              clang->version + " (/usr/bin/clang-19)"));
    CHECK_FALSE(fs::exists(workspace / "out/gfx942"));
    CHECK_FALSE(fs::exists(workspace / "out/manifest.json"));
  }
}

TEST_CASE("a dry run prints every command and writes nothing", "[build]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("dry-run");
  auto result = run_aotc(build_args(workspace, "nvidia.json", {"--dry-run"}));
  INFO(result.output);
  REQUIRE(result.succeeded());
  std::size_t clang_lines = 0, ptxas_lines = 0;
  std::istringstream lines(result.output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("clang-22 -x ") != std::string::npos) ++clang_lines;
    if (line.find("ptxas -arch=sm_90a ") != std::string::npos) ++ptxas_lines;
  }
  CHECK(clang_lines == 4);  // 2 variants x (gfx942, sm_90a)
  auto ptxas = aotc::find_ptxas(std::nullopt);
  REQUIRE(ptxas.ok());
  CHECK(ptxas_lines == (*ptxas ? 2u : 0u));
  CHECK_FALSE(fs::exists(workspace / "out"));
}

TEST_CASE("NVIDIA targets get PTX, and a cubin when ptxas is present", "[build]") {
  if (!aotc::test::have_clang22()) return;
  auto ptxas = aotc::find_ptxas(std::nullopt);
  REQUIRE(ptxas.ok());
  if (!*ptxas) {
    aotc::test::missing_tool("ptxas");
    return;
  }
  Workspace workspace("nvidia");
  auto result = run_aotc(build_args(workspace, "nvidia.json"));
  INFO(result.output);
  REQUIRE(result.succeeded());
  auto files = aotc::test::check_manifest_matches_files(workspace / "out");
  CHECK(files.count("sm_90a/axpy.w1.cubin"));
  CHECK(files.count("sm_90a/axpy.w1.ptx"));
  CHECK(files.count("gfx942/axpy.w3.hsaco"));
  auto ptx = aotc::read_file_text(workspace / "out/sm_90a/axpy.w3.ptx");
  REQUIRE(ptx.ok());
  CHECK_THAT(*ptx, Catch::Contains(".target sm_90a") && Catch::Contains(".entry axpy"));
  auto manifest = aotc::test::read_json(workspace / "out/manifest.json");
  const auto& object = manifest["variants"][0]["objects"][1];
  CHECK(object["vendor"] == "nvidia");
  CHECK(object["format"] == "cubin");
  // The target is the one built: the cubin's ELF header says sm_90 for sm_90a too.
  CHECK(object["metadata"]["target_id"] == "sm_90a");
  CHECK_FALSE(object["metadata"].contains("target_id_note"));
  // The cubin is an ELF for NVIDIA (e_machine EM_CUDA = 190).
  auto cubin = aotc::read_file_bytes(workspace / "out/sm_90a/axpy.w1.cubin");
  REQUIRE(cubin.ok());
  CHECK(((*cubin)[18] | ((*cubin)[19] << 8)) == 190);
}

TEST_CASE("outputs of variants no longer in the matrix are removed", "[build]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("stale");
  REQUIRE(run_aotc(build_args(workspace, "axpy.json")).succeeded());
  // A file aotc did not write stays.
  REQUIRE(aotc::write_file_atomic(workspace / "out/gfx942/notes.txt", "mine").ok());
  auto fewer = run_aotc(build_args(workspace, "axpy_fewer.json"));
  REQUIRE(fewer.succeeded());
  auto files = aotc::test::check_manifest_matches_files(workspace / "out");
  CHECK(files == std::set<std::string>{"gfx942/axpy.w1.s0.hsaco", "gfx942/axpy.w1.s1.hsaco"});
  CHECK_FALSE(fs::exists(workspace / "out/gfx942/axpy.w4.s0.hsaco"));
  CHECK(fs::exists(workspace / "out/gfx942/notes.txt"));
}

TEST_CASE("aotc targets lists each clang with the targets it can build", "[build][targets]") {
  if (!aotc::test::have_clang22()) return;
  auto result = run_aotc({"targets", "--json"});
  REQUIRE(result.succeeded());
  auto report = nlohmann::json::parse(result.output);
  auto clang = aotc::identify_clang("clang-22");
  REQUIRE(clang.ok());
  bool found = false;
  for (const auto& toolchain : report["toolchains"]) {
    if (toolchain["path"] != clang->path.string()) continue;
    found = true;
    CHECK(toolchain["version"] == clang->version);
    auto amd = toolchain["amd"].get<std::vector<std::string>>();
    CHECK(std::count(amd.begin(), amd.end(), "gfx950") == 1);
    auto nvidia = toolchain["nvidia"].get<std::vector<std::string>>();
    CHECK(std::count(nvidia.begin(), nvidia.end(), "sm_90a") == 1);
  }
  CHECK(found);
  auto text = run_aotc({"targets"});
  REQUIRE(text.succeeded());
  CHECK_THAT(text.output,
             Catch::Contains("clang " + clang->version + " (" + clang->path.string() + ")"));
}
