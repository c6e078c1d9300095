// `aotc build --emit-ninja` + `aotc package` through Debian's ninja, with ccache as the launcher:
// the outputs equal `aotc build`'s, and a rebuild from clean output folders gets every clang
// compile from ccache.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "build/ninja_writer.h"
#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

nlohmann::json without_summary(nlohmann::json manifest) {
  manifest.erase("summary");
  return manifest;
}

// ccache's counters (ccache --print-stats: "name<TAB>value" lines).
std::map<std::string, long> ccache_stats(const std::vector<std::string>& env) {
  std::vector<std::string> argv = {"env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {"ccache", "--print-stats"});
  auto result = aotc::run_process(argv);
  REQUIRE(result.ok());
  std::map<std::string, long> stats;
  std::istringstream lines(result->output);
  std::string name;
  long value = 0;
  while (lines >> name >> value) stats[name] = value;
  return stats;
}

}  // namespace

TEST_CASE("Ninja edges are escaped and a newline is refused", "[ninja]") {
  aotc::NinjaFile file;
  file.launcher = "ccache";
  aotc::NinjaStep step;
  step.argv = {"/usr/bin/clang-22", "-DX=$(y) z", "/a b/k.hip", "-o", "/o:ut/k.hsaco"};
  step.outputs = {"/o:ut/k.hsaco"};
  step.inputs = {"/a b/k.hip"};
  step.depfile = "/o:ut/k.d";
  step.description = "clang k";
  file.compiles.push_back(step);
  file.regenerate = step;
  auto text = aotc::ninja_file_text(file);
  REQUIRE(text.ok());
  CHECK_THAT(*text, Catch::Contains("build /o$:ut/k.hsaco: compile /a$ b/k.hip\n"));
  CHECK_THAT(*text, Catch::Contains("cmd = /usr/bin/clang-22 '-DX=$$(y) z' '/a b/k.hip'"));
  CHECK_THAT(*text, Catch::Contains("command = $launcher $cmd\n  depfile = $dep\n  deps = gcc"));
  file.compiles[0].argv[1] = "-DX=1\n";
  CHECK_FALSE(aotc::ninja_file_text(file).ok());
}

TEST_CASE(
    "the Ninja route builds what aotc build does, and with ccache a clean rebuild is all hits",
    "[build][ninja]") {
  if (!aotc::test::have_clang22()) return;
  for (const char* tool : {"ninja", "ccache"}) {
    if (!aotc::find_executable(tool)) {
      aotc::test::missing_tool(std::string(tool) + " (the Ninja route with a compiler launcher)");
      return;
    }
  }
  Workspace workspace("ninja");
  for (const char* file : {"split-sum-matrix.json", "split_sum.hip"}) {
    fs::copy_file(fs::path(AOTC_SOURCE_DIR) / "tests/launcher/data" / file, workspace / file);
  }
  const std::string matrix = (workspace / "split-sum-matrix.json").string();
  const std::string out = (workspace / "out").string();
  auto single = run_aotc({"build", matrix, "-o", out, "--clang", "clang-22"});
  INFO(single.output);
  REQUIRE(single.succeeded());
  fs::rename(out, workspace / "single");

  const std::string ninja_file = (workspace / "build.ninja").string();
  auto emitted = run_aotc({"build", matrix, "-o", out, "--clang", "clang-22", "--emit-ninja",
                           ninja_file, "--launcher", "ccache"});
  INFO(emitted.output);
  REQUIRE(emitted.succeeded());
  CHECK_FALSE(fs::exists(workspace / "out/manifest.json"));  // emitting builds nothing
  CHECK_FALSE(fs::exists(workspace / "out/gfx942"));

  // ccache of the test's own, whatever the caller's ccache settings are.
  const std::vector<std::string> env = {"-u",
                                        "CCACHE_DISABLE",
                                        "-u",
                                        "CCACHE_NOSTATS",
                                        "-u",
                                        "CCACHE_BASEDIR",
                                        "-u",
                                        "CCACHE_CONFIGPATH",
                                        "CCACHE_DIR=" + (workspace / "ccache").string()};
  auto ninja = [&] {
    std::vector<std::string> argv = {"env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {"ninja", "-f", ninja_file});
    auto result = aotc::run_process(argv);
    REQUIRE(result.ok());
    INFO(result->output);
    REQUIRE(result->succeeded());
    return result->output;
  };
  auto same_as_single = [&] {
    auto manifest = aotc::test::read_json(workspace / "single/manifest.json");
    CHECK(without_summary(aotc::test::read_json(workspace / "out/manifest.json")) ==
          without_summary(manifest));
    auto listed = aotc::listed_output_files(manifest);
    REQUIRE(listed.ok());
    for (const auto& file : *listed) {
      INFO(file.file);
      CHECK(aotc::read_file_bytes(workspace / "out" / file.file).value() ==
            aotc::read_file_bytes(workspace / "single" / file.file).value());
    }
  };

  ninja();
  same_as_single();
  CHECK_THAT(ninja(), Catch::Contains("no work to do"));

  // From clean output folders: ninja reruns every compile, ccache answers each one.
  auto manifest = aotc::test::read_json(workspace / "single/manifest.json");
  std::size_t clang_compiles = 0;
  for (const auto& variant : manifest["variants"]) clang_compiles += variant["objects"].size();
  std::vector<std::string> zero = {"env"};
  zero.insert(zero.end(), env.begin(), env.end());
  zero.insert(zero.end(), {"ccache", "--zero-stats"});
  auto zeroed = aotc::run_process(zero);
  REQUIRE(zeroed.ok());
  fs::remove_all(out);
  fs::remove_all(workspace / "aotc-objects");
  ninja();
  same_as_single();
  auto stats = ccache_stats(env);
  CHECK(stats["direct_cache_hit"] + stats["preprocessed_cache_hit"] == long(clang_compiles));
  CHECK(stats["cache_miss"] == 0);
}
