#include <catch2/catch.hpp>
#include <cstdlib>

#include "build/subprocess.h"
#include "build/target_support.h"
#include "build/toolchain_discovery.h"
#include "build_test_support.h"
#include "tool_skip.h"

namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("identify_clang reads the version clang itself reports", "[toolchain]") {
  if (!aotc::test::have_clang22()) return;
  auto clang = aotc::identify_clang("clang-22");
  REQUIRE(clang.ok());
  CHECK(clang->major == 22);
  CHECK(clang->path.is_absolute());
  auto banner = aotc::run_process({"clang-22", "--version"});
  REQUIRE(banner.ok());
  CHECK_THAT(banner->output, Catch::Contains("clang version " + clang->version));
}

TEST_CASE("a bad --clang path is an error naming the path", "[toolchain]") {
  auto missing = aotc::find_clang(std::filesystem::path("/nonexistent/clang-99"));
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message,
             Catch::Contains("--clang: /nonexistent/clang-99: no such executable"));

  auto not_clang = aotc::find_clang(std::filesystem::path("/bin/true"));
  REQUIRE_FALSE(not_clang.ok());
  CHECK_THAT(not_clang.error().message, Catch::Contains("/bin/true: not clang"));
}

TEST_CASE("AOTC_CLANG picks the compiler when --clang is absent", "[toolchain]") {
  if (!aotc::find_executable("clang-19")) {
    aotc::test::missing_tool("clang-19");
    return;
  }
  ScopedEnv env("AOTC_CLANG", "clang-19");
  auto clang = aotc::find_clang(std::nullopt);
  REQUIRE(clang.ok());
  CHECK(clang->major == 19);

  ScopedEnv bad("AOTC_CLANG", "/nonexistent/clang");
  auto missing = aotc::find_clang(std::nullopt);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::StartsWith("AOTC_CLANG: /nonexistent/clang"));
}

TEST_CASE("target probing asks clang and caches the answer per compiler", "[toolchain]") {
  if (!aotc::test::have_clang22()) return;
  aotc::test::Workspace workspace("probe");
  auto clang = aotc::identify_clang("clang-22");
  REQUIRE(clang.ok());
  auto support = aotc::probe_targets(*clang, workspace / "cache");
  REQUIRE(support.ok());
  CHECK(support->supports("gfx942"));
  CHECK(support->supports("gfx950"));
  CHECK(support->supports("gfx9-4-generic"));
  CHECK(support->supports("sm_90a"));
  CHECK_FALSE(support->supports("gfx940"));  // removed from LLVM before 22

  // The second probe must come from the cache file: prove it by editing the file.
  std::vector<std::filesystem::path> cached;
  for (const auto& entry : std::filesystem::directory_iterator(workspace / "cache/toolchains")) {
    cached.push_back(entry.path());
  }
  REQUIRE(cached.size() == 1);
  REQUIRE(aotc::write_file_atomic(cached[0], R"({"amd": ["gfx000"], "nvidia": []})").ok());
  auto again = aotc::probe_targets(*clang, workspace / "cache");
  REQUIRE(again.ok());
  CHECK(again->amd == std::vector<std::string>{"gfx000"});
}

TEST_CASE("an unsupported target names the LLVM it needs and the compiler found", "[toolchain]") {
  if (!aotc::find_executable("clang-19")) {
    aotc::test::missing_tool("clang-19");
    return;
  }
  auto clang = aotc::identify_clang("clang-19");
  REQUIRE(clang.ok());
  auto support = aotc::probe_targets(*clang, std::nullopt);
  REQUIRE(support.ok());
  CHECK(aotc::check_target(*clang, *support, "gfx942", 5).ok());
  auto refused = aotc::check_target(*clang, *support, "gfx950", 5);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "gfx950 needs LLVM >= 20; found clang " + clang->version + " (" +
                                       clang->path.string() + ")");
}

TEST_CASE("generic targets need code object v6", "[toolchain]") {
  if (!aotc::test::have_clang22()) return;
  auto clang = aotc::identify_clang("clang-22");
  REQUIRE(clang.ok());
  auto support = aotc::probe_targets(*clang, std::nullopt);
  REQUIRE(support.ok());
  auto refused = aotc::check_target(*clang, *support, "gfx9-4-generic", 5);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("needs code object v6"));
  CHECK(aotc::check_target(*clang, *support, "gfx9-4-generic", 6).ok());
  auto unknown = aotc::check_target(*clang, *support, "tpu_v4", 5);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("unknown vendor"));
}

TEST_CASE("ptxas is found with its version when CUDA is installed", "[toolchain]") {
  auto ptxas = aotc::find_ptxas(std::nullopt);
  REQUIRE(ptxas.ok());
  if (!*ptxas) {
    aotc::test::missing_tool("ptxas");
    return;
  }
  auto banner = aotc::run_process({(*ptxas)->path.string(), "--version"});
  REQUIRE(banner.ok());
  CHECK_THAT(banner->output, Catch::Contains("V" + (*ptxas)->version));
  auto missing = aotc::find_ptxas(std::filesystem::path("/nonexistent/ptxas"));
  CHECK_FALSE(missing.ok());
}
