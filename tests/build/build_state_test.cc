// out/.aotc_state: the no-op check that reads one file (build_state.h), on its own and through
// the real aotc binary.
#include "build/build_state.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

// Sets everything under `dir` an hour back, as in a checkout: a file modified just before a
// build gets no stamp (settled_stamp).
void age_files(const fs::path& dir) {
  auto hour_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    fs::last_write_time(entry.path(), hour_ago);
  }
}

void write_aged(const fs::path& path, std::string_view text) {
  REQUIRE(aotc::write_file_atomic(path, text).ok());
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

aotc::BuildFingerprint fingerprint() {
  return {{{"matrix", "/m.json"}, {"targets", "1"}, {"target", "gfx942"}},
          {"AOTC_STATE_TEST_VARIABLE"}};
}

}  // namespace

TEST_CASE("the build state matches only the same settings, variables and files", "[build][state]") {
  Workspace workspace("state");
  fs::path out = workspace / "out";
  fs::create_directories(out);
  age_files(workspace.dir());
  ::unsetenv("AOTC_STATE_TEST_VARIABLE");
  auto stamped = [&](const fs::path& path) {
    auto stamp = aotc::stamp_file(path);
    return aotc::StampedFile{path, aotc::settled_stamp(stamp, stamp, aotc::wall_clock_ns())};
  };
  fs::path header = workspace / "kernels/scale.h";
  std::vector<aotc::StampedFile> files = {stamped(workspace / "axpy.json"), stamped(header),
                                          stamped(workspace / "kernels")};
  REQUIRE(aotc::write_build_state(out, fingerprint(), {4, 1, 4}, files).ok());
  REQUIRE(fs::exists(out / ".aotc_state"));

  aotc::StateCounts counts;
  REQUIRE(aotc::build_is_up_to_date(out, fingerprint(), counts));
  CHECK(counts.variants == 4);
  CHECK(counts.targets == 1);
  CHECK(counts.objects == 4);

  SECTION("another setting") {
    auto other = fingerprint();
    other.settings.back().second = "gfx950";
    CHECK_FALSE(aotc::build_is_up_to_date(out, other, counts));
  }
  SECTION("a variable set") {
    ::setenv("AOTC_STATE_TEST_VARIABLE", "x", 1);
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
    ::unsetenv("AOTC_STATE_TEST_VARIABLE");
  }
  SECTION("a file rewritten, even with its old size and time") {
    auto before = fs::last_write_time(header);
    auto text = aotc::read_file_text(header);
    REQUIRE(text.ok());
    REQUIRE(aotc::write_file_atomic(header, *text).ok());
    fs::last_write_time(header, before);
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
  }
  SECTION("a file removed") {
    fs::remove(header);
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
  }
  SECTION("a directory gaining an entry") {
    write_aged(workspace / "kernels/new.h", "");
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
  }
  SECTION("a build in progress or killed") {
    write_aged(out / ".building", "");
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
  }
  SECTION("a truncated or foreign state file") {
    auto text = aotc::read_file_text(out / ".aotc_state");
    REQUIRE(text.ok());
    REQUIRE(aotc::write_file_atomic(out / ".aotc_state", text->substr(0, text->size() - 3)).ok());
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
    REQUIRE(aotc::write_file_atomic(out / ".aotc_state", "ninja log v5\n").ok());
    CHECK_FALSE(aotc::build_is_up_to_date(out, fingerprint(), counts));
  }
  SECTION("a file modified just before the build keeps no state") {
    REQUIRE(aotc::write_file_atomic(header, "// edited\n").ok());
    files[1] = stamped(header);
    CHECK_FALSE(files[1].stamp.has_value());
    REQUIRE(aotc::write_build_state(out, fingerprint(), {4, 1, 4}, files).ok());
    CHECK_FALSE(fs::exists(out / ".aotc_state"));
  }
}

TEST_CASE("a no-op rebuild touches nothing, and any change to an input or output runs the build",
          "[build][state]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("state-e2e");
  age_files(workspace.dir());
  const std::vector<std::string> args = {"build",   (workspace / "axpy.json").string(),
                                         "-o",      (workspace / "out").string(),
                                         "--clang", "clang-22"};
  auto cold = run_aotc(args);
  INFO(cold.output);
  REQUIRE(cold.succeeded());
  REQUIRE(fs::exists(workspace / "out/.aotc_state"));
  auto manifest_stamp = [&] { return aotc::stamp_file(workspace / "out/manifest.json"); };
  auto written = manifest_stamp();

  auto noop = run_aotc(args);
  REQUIRE(noop.succeeded());
  CHECK_THAT(noop.output, Catch::Contains("4 variants, 1 target: 0 compiled, 4 cached, 0 failed"));
  CHECK(manifest_stamp() == written);  // not even manifest.json was rewritten

  SECTION("a header edit recompiles its includers, then no-ops again") {
    write_aged(workspace / "kernels/scale.h",
               "#pragma once\nTEST_DEVICE float scaled(float a) { return a * 0.5f; }\n");
    auto edited = run_aotc(args);
    INFO(edited.output);
    REQUIRE(edited.succeeded());
    CHECK_THAT(edited.output, Catch::Contains("2 compiled, 2 cached"));
    auto rebuilt = manifest_stamp();
    CHECK_FALSE(rebuilt == written);
    auto again = run_aotc(args);
    CHECK_THAT(again.output, Catch::Contains("0 compiled, 4 cached"));
    CHECK(manifest_stamp() == rebuilt);
  }
  SECTION("a removed output is restored") {
    fs::remove(workspace / "out/gfx942/axpy.w4.s1.hsaco");
    auto restored = run_aotc(args);
    REQUIRE(restored.succeeded());
    CHECK(fs::exists(workspace / "out/gfx942/axpy.w4.s1.hsaco"));
    aotc::test::check_manifest_matches_files(workspace / "out");
  }
  SECTION("another target list is another build") {
    auto narrowed =
        run_aotc({"build", (workspace / "axpy.json").string(), "-o", (workspace / "out").string(),
                  "--clang", "clang-22", "--targets", "gfx942"});
    REQUIRE(narrowed.succeeded());
    CHECK_FALSE(manifest_stamp() == written);
  }
  SECTION("a header edited just before the build leaves no state behind") {
    REQUIRE(
        aotc::write_file_atomic(workspace / "kernels/scale.h",
                                "#pragma once\nTEST_DEVICE float scaled(float a) { return a; }\n")
            .ok());
    auto edited = run_aotc(args);
    REQUIRE(edited.succeeded());
    CHECK_FALSE(fs::exists(workspace / "out/.aotc_state"));
  }
}
