// Reproducible outputs: the default build-matrix.json built twice, into output directories at
// different paths and depths, with different -j (so the compiles finish in a different order),
// each with its own cache (so both really compile), gives byte-identical trees: every file the
// build writes, manifest.json included but for its "summary" (what this run compiled or found
// cached, and how long it took: the one place that depends on the run).
#include <catch2/catch.hpp>
#include <set>

#include "build/output_verify.h"
#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;

namespace {

// The files a build wrote, relative to out/: everything but aotc's own housekeeping, whose names
// start with '.' (.cache/, .outputs with inodes and times, .lock with a pid).
std::set<std::string> output_files(const fs::path& out) {
  std::set<std::string> files;
  for (auto it = fs::recursive_directory_iterator(out); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->path().filename().string().starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.insert(fs::relative(it->path(), out).string());
  }
  return files;
}

}  // namespace

TEST_CASE("the default matrix built in two directories with different -j gives identical trees") {
  if (!aotc::test::have_clang22()) return;
  const fs::path root = fs::path(AOTC_BINARY_DIR) / "test-scratch" / "reproducible";
  fs::remove_all(root);
  const fs::path a = root / "a" / "out";
  const fs::path b = root / "b" / "deeper" / "still" / "elsewhere";
  const std::string matrix = AOTC_SOURCE_DIR "/build-matrix.json";
  auto built_a = run_aotc({"build", matrix, "-o", a.string(), "--cache-dir",
                           (root / "cache-a").string(), "--clang", "clang-22", "-j", "2"});
  INFO(built_a.output);
  REQUIRE(built_a.succeeded());
  auto built_b = run_aotc({"build", matrix, "-o", b.string(), "--cache-dir",
                           (root / "cache-b").string(), "--clang", "clang-22", "-j", "3"});
  INFO(built_b.output);
  REQUIRE(built_b.succeeded());
  for (const fs::path& out : {a, b}) CHECK(run_aotc({"verify", out.string()}).succeeded());

  // Both really compiled everything.
  auto manifest_a = aotc::test::read_json(a / "manifest.json");
  auto manifest_b = aotc::test::read_json(b / "manifest.json");
  CHECK(manifest_a["summary"]["cached"] == 0);
  CHECK(manifest_b["summary"]["cached"] == 0);

  const std::set<std::string> files = output_files(a);
  CHECK(files == output_files(b));
  // Every file the build wrote is listed in the manifest with its size and SHA-256.
  auto listed = aotc::listed_output_files(manifest_a);
  REQUIRE(listed.ok());
  std::set<std::string> listed_files = {"manifest.json"};
  for (const auto& file : *listed) listed_files.insert(file.file);
  CHECK(listed_files == files);

  std::size_t compared = 0;
  for (const std::string& file : files) {
    if (file == "manifest.json") continue;
    INFO(file);
    auto bytes_a = aotc::read_file_bytes(a / file);
    auto bytes_b = aotc::read_file_bytes(b / file);
    REQUIRE(bytes_a.ok());
    REQUIRE(bytes_b.ok());
    CHECK(*bytes_a == *bytes_b);
    ++compared;
  }
  CHECK(compared > 144);  // 48 variants x 3 targets, PTX, bundles, launchers

  manifest_a.erase("summary");
  manifest_b.erase("summary");
  CHECK(manifest_a.dump(1) == manifest_b.dump(1));
}
