#include "launcher/launcher_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "build/manifest_reader.h"
#include "codeobj/kernel_metadata.h"
#include "codeobj/kernel_metadata_json.h"
#include "core/atomic_file.h"
#include "launcher/launcher_generator.h"
#include "matrix/matrix_expand.h"
#include "matrix/matrix_parse.h"

namespace aotc::test {

std::filesystem::path fresh_dir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(AOTC_BINARY_DIR) / "tests" / "launcher" / "scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string driver_compiler(const std::string& requested) {
#ifdef AOTC_TEST_SANITIZER_COMPILER
  (void)requested;
  return shell_quote(AOTC_TEST_SANITIZER_COMPILER) + " -fsanitize=address,undefined";
#else
  return requested;
#endif
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::optional<std::filesystem::path> find_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// The build records each object's metadata; where it does not (yet), read it from the file with
// aotc_codeobj, the same reader the build uses, so the tests always see real metadata.
void fill_metadata(nlohmann::json& manifest, const std::filesystem::path& out_dir) {
  for (nlohmann::json& variant : manifest["variants"]) {
    for (nlohmann::json& object : variant["objects"]) {
      if (object.contains("metadata")) continue;
      Result<std::vector<std::uint8_t>> bytes =
          read_file_bytes(out_dir / object["file"].get<std::string>());
      REQUIRE(bytes.ok());
      Result<codeobj::KernelMetadata> md =
          codeobj::read_kernel_metadata(*bytes, object["format"].get<std::string>());
      INFO(object["file"].get<std::string>());
      REQUIRE(md.ok());
      object["metadata"] = codeobj::to_json(*md);
    }
  }
}

Result<std::vector<std::filesystem::path>> generate_from_manifest(
    const Matrix& matrix, const nlohmann::json& manifest, const std::filesystem::path& out_dir) {
  Result<launcher::LaunchRules> rules = launcher::validate_launch_rules(matrix);
  if (!rules) return rules.error();
  Result<std::vector<Variant>> variants = expand_matrix(matrix);
  if (!variants) return variants.error();
  auto objects = read_manifest_objects(manifest, *variants);
  if (!objects) return objects.error();
  return generate_launchers({matrix, *rules, *variants, *objects}, out_dir);
}

std::optional<SplitSumBuild> build_split_sum(const std::string& name, std::string* why_not) {
  if (!find_tool("clang-22")) {
    *why_not = "clang-22 not found on PATH: cannot compile the split_sum test kernels";
    return std::nullopt;
  }
  const std::filesystem::path matrix_file =
      std::filesystem::path(AOTC_SOURCE_DIR) / "tests/launcher/data/split-sum-matrix.json";
  SplitSumBuild build;
  build.out_dir = fresh_dir(name) / "out";
  const CommandResult r =
      run_command(shell_quote(AOTC_EXE) + " build " + shell_quote(matrix_file.string()) + " -o " +
                  shell_quote(build.out_dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  Result<std::string> text = read_file_text(build.out_dir / "manifest.json");
  REQUIRE(text.ok());
  build.manifest = nlohmann::json::parse(*text);
  fill_metadata(build.manifest, build.out_dir);
  Result<Matrix> matrix = load_matrix(matrix_file);
  REQUIRE(matrix.ok());
  build.matrix = std::move(*matrix);
  return build;
}

}  // namespace aotc::test
