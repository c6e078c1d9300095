// Shared by the launcher tests: a real build of tests/launcher/data/split-sum-matrix.json (the
// aotc binary compiles it with clang-22 for gfx942 and sm_90a), scratch folders, and running the
// compilers the generated code must satisfy.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "matrix/matrix.h"

namespace aotc::test {

struct SplitSumBuild {
  std::filesystem::path out_dir;
  Matrix matrix;
  nlohmann::json manifest;  // objects carry "metadata" read by aotc_codeobj from the real files
};

// Builds the split_sum family into a fresh folder named after `name`. nullopt when clang-22 is
// absent (`why_not` says so: callers WARN and skip); a failing build is a test failure.
std::optional<SplitSumBuild> build_split_sum(const std::string& name, std::string* why_not);

// Adds "metadata" to every manifest object that lacks it, read from the object's file with
// aotc_codeobj (the reader the build itself uses).
void fill_metadata(nlohmann::json& manifest, const std::filesystem::path& out_dir);

// Generates `matrix`'s launchers into out_dir/include/aotc from a build's `manifest`, the way a
// build does from its own records: the rules validated, the matrix expanded, the manifest read
// back into object records (build/manifest_reader.h).
Result<std::vector<std::filesystem::path>> generate_from_manifest(
    const Matrix& matrix, const nlohmann::json& manifest, const std::filesystem::path& out_dir);

// A fresh, empty scratch folder under the build tree.
std::filesystem::path fresh_dir(const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
CommandResult run_command(const std::string& command);

// The path of an executable on PATH, or nullopt.
std::optional<std::filesystem::path> find_tool(const std::string& name);

std::string shell_quote(const std::string& s);

// The compiler command for programs the tests link against libaotc_runtime.so: `requested`
// normally; in sanitizer builds the project's own compiler with the sanitizer flags instead,
// since the library then needs that compiler's sanitizer runtime.
std::string driver_compiler(const std::string& requested);

}  // namespace aotc::test
