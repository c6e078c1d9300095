// Two toolchains (issue 11): the default build-matrix.json also builds with clang-19 (LLVM 19,
// Debian 12's other clang) for every target it can build, and asking it for gfx950 is refused
// end to end with the LLVM version it needs, before anything is compiled or the earlier tree is
// touched. Compiling 96 objects takes about a minute of CPU: labelled "slow".
#include <catch2/catch.hpp>

#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;

TEST_CASE("the default matrix builds with clang-19 for gfx942 and sm_90a and refuses gfx950") {
  if (!aotc::find_executable("clang-19")) {
    aotc::test::missing_tool("clang-19");
    return;
  }
  auto clang = aotc::identify_clang("clang-19");
  REQUIRE(clang.ok());
  REQUIRE(clang->major == 19);
  const fs::path root = fs::path(AOTC_BINARY_DIR) / "test-scratch" / "clang19-default-matrix";
  fs::remove_all(root);
  const fs::path out = root / "out";
  const std::string matrix = AOTC_SOURCE_DIR "/build-matrix.json";
  const std::vector<std::string> common = {"build",       matrix,
                                           "-o",          out.string(),
                                           "--cache-dir", (root / "cache").string(),
                                           "--clang",     clang->path.string()};

  auto built = run_aotc([&] {
    auto args = common;
    args.insert(args.end(), {"--targets", "gfx942,sm_90a", "-j", "2"});
    return args;
  }());
  INFO(built.output);
  REQUIRE(built.succeeded());
  const nlohmann::json manifest = aotc::test::read_json(out / "manifest.json");
  CHECK(manifest["summary"]["variants"] == 48);
  CHECK(manifest["summary"]["compiled"] == 96);
  CHECK(manifest["summary"]["failed"] == 0);
  std::size_t objects = 0;
  for (const auto& variant : manifest["variants"]) {
    for (const auto& object : variant["objects"]) {
      INFO(object["file"]);
      CHECK(object["compiler"]["version"] == clang->version);
      CHECK((object["target"] == "gfx942" || object["target"] == "sm_90a"));
      // The AMD objects' metadata was read: both entries, with their argument layouts.
      if (object["target"] == "gfx942") CHECK(object["metadata"]["kernels"].size() == 2);
      ++objects;
    }
  }
  CHECK(objects == 96);
  CHECK(aotc::test::check_manifest_matches_files(out).size() >= 96 + 48);  // + PTX
  CHECK(fs::exists(out / "include/aotc/pa_decode_launcher.cc"));
  CHECK(run_aotc({"verify", out.string()}).succeeded());

  // The whole matrix (gfx950 included) and gfx950 alone: the clear error, and out/ unchanged.
  for (const std::vector<std::string>& targets :
       {std::vector<std::string>{}, std::vector<std::string>{"--targets", "gfx950"}}) {
    auto args = common;
    args.insert(args.end(), targets.begin(), targets.end());
    auto refused = run_aotc(args);
    INFO(refused.output);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.output,
               Catch::Contains("build-matrix.json: gfx950 needs LLVM >= 20; found clang " +
                               clang->version + " (" + clang->path.string() + ")"));
    CHECK_FALSE(fs::exists(out / "gfx950"));
    CHECK(aotc::test::read_json(out / "manifest.json") == manifest);
  }
}
