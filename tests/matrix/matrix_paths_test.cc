// Kernel sources and include directories: relative paths resolve against the matrix's directory
// and must stay inside it (also through symbolic links); absolute paths are taken as written.
#include "matrix/matrix_paths.h"

#include <catch2/catch.hpp>

#include "matrix_test_support.h"

using namespace aotc;
using aotc::test::MatrixFixture;
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

TEST_CASE("relative sources resolve against the matrix file's directory") {
  aotc::test::ScratchDir dir;
  dir.write("proj/kernels/a.hip", "");
  auto resolved = resolve_matrix_path(dir.path() / "proj", "kernels/./a.hip", PathKind::file);
  REQUIRE(resolved.ok());
  CHECK(*resolved == dir.path() / "proj/kernels/a.hip");
  auto up_and_back =
      resolve_matrix_path(dir.path() / "proj", "kernels/../kernels/a.hip", PathKind::file);
  REQUIRE(up_and_back.ok());
  CHECK(*up_and_back == dir.path() / "proj/kernels/a.hip");
}

TEST_CASE("sources must exist and be of the right kind") {
  MatrixFixture f;
  f.dir.write("inc/x.h", "");
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["source"] = "missing.hip";
  doc["kernels"][0]["include_dirs"] = {"inc", "k.hip", "nowhere", 3};
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line("kernels[0].source: expected an existing file, found \"missing.hip\""),
            f.line("kernels[0].include_dirs[1]: expected an existing directory, found \"k.hip\""),
            f.line("kernels[0].include_dirs[2]: expected an existing directory, found \"nowhere\""),
            f.line("kernels[0].include_dirs[3]: expected string, found 3"),
        });
  doc["kernels"][0]["source"] = "inc";
  doc["kernels"][0]["include_dirs"] = {"inc", "."};
  CHECK(f.problems(doc) == std::vector<std::string>{f.line(
                               "kernels[0].source: expected an existing file, found \"inc\"")});
}

TEST_CASE("relative paths may not climb out of the matrix's directory") {
  aotc::test::ScratchDir dir;
  dir.write("outside.hip", "");
  dir.write("proj/k.hip", "");
  const fs::path proj = dir.path() / "proj";
  for (std::string written :
       {"../outside.hip", "sub/../../outside.hip", "./../proj/../outside.hip"}) {
    CAPTURE(written);
    auto resolved = resolve_matrix_path(proj, written, PathKind::file);
    REQUIRE_FALSE(resolved.ok());
    CHECK(resolved.error().message == "a path inside the matrix file's directory");
  }
  CHECK_FALSE(resolve_matrix_path(proj, "..", PathKind::directory).ok());
}

TEST_CASE("symbolic links out of the matrix's directory are refused") {
  aotc::test::ScratchDir dir;
  dir.write("outside/secret.hip", "");
  dir.write("proj/k.hip", "");
  const fs::path proj = dir.path() / "proj";
  fs::create_directory_symlink(dir.path() / "outside", proj / "linked");
  fs::create_symlink(proj / "k.hip", proj / "alias.hip");
  auto escaped = resolve_matrix_path(proj, "linked/secret.hip", PathKind::file);
  REQUIRE_FALSE(escaped.ok());
  CHECK(escaped.error().message ==
        "a path inside the matrix file's directory, also after following symbolic links");
  // A link that stays inside is fine.
  CHECK(resolve_matrix_path(proj, "alias.hip", PathKind::file).ok());
}

TEST_CASE("absolute paths are taken as written") {
  aotc::test::ScratchDir dir;
  auto elsewhere = dir.write("elsewhere/k.hip", "");
  dir.write("proj/k.hip", "");
  auto resolved = resolve_matrix_path(dir.path() / "proj", elsewhere.string(), PathKind::file);
  REQUIRE(resolved.ok());
  CHECK(*resolved == elsewhere);
  CHECK_FALSE(
      resolve_matrix_path(dir.path() / "proj", (dir.path() / "none.hip").string(), PathKind::file)
          .ok());
}

TEST_CASE("a matrix named without a directory resolves against the current directory") {
  aotc::test::ScratchDir dir;
  dir.write("k.hip", "");
  fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  auto matrix = parse_matrix(aotc::test::base_matrix().dump(), "m.json");
  fs::current_path(previous);
  REQUIRE(matrix.ok());
  CHECK(matrix->kernels[0].source == dir.path() / "k.hip");
}

TEST_CASE("a root lets a matrix outside the sources name them, and confines them there") {
  aotc::test::ScratchDir dir;
  dir.write("repo/kernels/k.hip", "");
  dir.write("outside.hip", "");
  json doc = aotc::test::base_matrix();
  doc["root"] = "..";
  doc["kernels"][0]["source"] = "kernels/k.hip";
  auto parsed = parse_matrix(doc.dump(), dir.path() / "repo/configs/m.json");
  // configs/ itself need not exist for the root to resolve, but the root must.
  REQUIRE(parsed.ok());
  CHECK(parsed->kernels[0].source == dir.path() / "repo/kernels/k.hip");

  doc["kernels"][0]["source"] = "../outside.hip";
  auto escaped = parse_matrix(doc.dump(), dir.path() / "repo/configs/m.json");
  REQUIRE_FALSE(escaped.ok());
  CHECK_THAT(escaped.error().message, Catch::Contains("kernels[0].source: expected a path inside"));

  doc["root"] = "../missing";
  doc["kernels"][0]["source"] = "kernels/k.hip";
  auto no_root = parse_matrix(doc.dump(), dir.path() / "repo/configs/m.json");
  REQUIRE_FALSE(no_root.ok());
  CHECK_THAT(no_root.error().message,
             Catch::Contains("root: expected an existing directory, found \"../missing\""));
}
