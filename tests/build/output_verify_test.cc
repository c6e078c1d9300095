// `aotc verify`: every file the manifest lists is re-hashed, so a change the build's stat-based
// no-op check cannot see (same size, modification time put back) is reported by name.
#include "build/output_verify.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

// Rewrites one byte of `path` in place and puts its modification time back.
void corrupt_keeping_mtime(const fs::path& path) {
  struct stat before{};
  REQUIRE(::stat(path.c_str(), &before) == 0);
  auto bytes = aotc::read_file_bytes(path);
  REQUIRE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= 0x5a;
  REQUIRE(aotc::write_file_atomic(path, *bytes).ok());
  const timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("aotc verify re-hashes every listed file and names each mismatch", "[build][verify]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("verify");
  const fs::path out = workspace / "out";
  auto built = run_aotc({"build", (workspace / "nvidia.json").string(), "-o", out.string(),
                         "--clang", "clang-22", "-j", "2"});
  INFO(built.output);
  REQUIRE(built.succeeded());
  auto manifest = aotc::test::read_json(out / "manifest.json");
  auto listed = aotc::listed_output_files(manifest);
  REQUIRE(listed.ok());
  std::set<std::string> files;
  for (const auto& file : *listed) files.insert(file.file);
  // Code objects, the PTX beside each cubin, and the bundles: each with size and SHA-256.
  CHECK(files == std::set<std::string>{"gfx942/axpy.w1.hsaco", "gfx942/axpy.w3.hsaco",
                                       "sm_90a/axpy.w1.ptx", "sm_90a/axpy.w1.cubin",
                                       "sm_90a/axpy.w3.ptx", "sm_90a/axpy.w3.cubin",
                                       "bundles/axpy.w1.hipfb", "bundles/axpy.w3.hipfb"});

  auto clean = run_aotc({"verify", out.string()});
  INFO(clean.output);
  CHECK(clean.succeeded());
  CHECK_THAT(clean.output, Catch::Contains("all 8 files listed in"));

  corrupt_keeping_mtime(out / "gfx942/axpy.w3.hsaco");
  corrupt_keeping_mtime(out / "sm_90a/axpy.w1.ptx");
  fs::remove(out / "bundles/axpy.w1.hipfb");
  auto dirty = run_aotc({"verify", out.string()});
  INFO(dirty.output);
  CHECK(dirty.exit_code == 1);
  CHECK_THAT(dirty.output, Catch::Contains("gfx942/axpy.w3.hsaco: SHA-256 ") &&
                               Catch::Contains("(variants[1].objects[0])"));
  CHECK_THAT(dirty.output, Catch::Contains("sm_90a/axpy.w1.ptx: SHA-256 "));
  CHECK_THAT(dirty.output, Catch::Contains("bundles/axpy.w1.hipfb: missing"));
  CHECK_THAT(dirty.output, Catch::Contains("3 of 8 listed files do not match"));
}

TEST_CASE("aotc verify refuses a manifest naming files outside the output directory",
          "[build][verify]") {
  Workspace workspace("verify-hostile");
  const fs::path out = workspace / "out";
  nlohmann::json manifest = {
      {"schema", "aotc-manifest"},
      {"variants",
       {{{"objects",
          {{{"file", "../../etc/passwd"}, {"size", 1}, {"sha256", std::string(64, '0')}},
           {{"file", "gfx942/a.hsaco"}}}}}}}};
  REQUIRE(aotc::write_file_atomic(out / "manifest.json", manifest.dump()).ok());
  auto refused = run_aotc({"verify", out.string()});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output,
             Catch::Contains("variants[0].objects[0].file: expected a path inside the output "
                             "directory, found \"../../etc/passwd\""));
  CHECK_THAT(refused.output, Catch::Contains("variants[0].objects[1]: gfx942/a.hsaco is listed "
                                             "without \"size\" and \"sha256\""));
  auto missing = run_aotc({"verify", (workspace / "nowhere").string()});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Catch::Contains("manifest.json: cannot read"));
}
