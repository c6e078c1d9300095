#include "build/toolchain_discovery.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "build/subprocess.h"
#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

// Newest first: the first one found is the default compiler.
constexpr int kNewestClangMajor = 22;
constexpr int kOldestClangMajor = 17;

bool is_executable_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Where a tool's --version answer is remembered: named by what identifies the executable file.
std::optional<fs::path> identity_cache_file(const fs::path& path, std::string_view tool_name,
                                            const std::optional<fs::path>& cache_dir) {
  if (!cache_dir) return std::nullopt;
  std::error_code ec;
  fs::path resolved = fs::canonical(path, ec);
  struct stat info{};
  if (ec || ::stat(resolved.c_str(), &info) != 0) return std::nullopt;
  TaggedHasher hasher;
  hasher.add("tool", tool_name);
  hasher.add("path", path.string());
  hasher.add("resolved", resolved.string());
  hasher.add("size", std::to_string(info.st_size));
  hasher.add("mtime",
             std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec));
  return toolchain_cache_dir(*cache_dir) / ("id-" + hasher.hex_digest() + ".json");
}

// The tool's `--version` output, from the identity cache when it has the answer.
Result<std::string> version_output(const fs::path& path, std::string_view tool_name,
                                   const std::optional<fs::path>& cache_dir) {
  auto cache_file = identity_cache_file(path, tool_name, cache_dir);
  if (cache_file) {
    if (auto text = read_file_text(*cache_file, 1 << 16)) {
      auto json = nlohmann::json::parse(*text, nullptr, false);
      if (json.is_object() && json.contains("version_output") &&
          json["version_output"].is_string()) {
        return json["version_output"].get<std::string>();
      }
    }
  }
  auto run = run_process({path.string(), "--version"});
  if (!run) return run.error();
  if (!run->succeeded()) {
    return make_error(path.string() + " --version " + run->describe_exit() + ": " +
                      first_line(run->output));
  }
  if (cache_file) {
    // A failed write only costs a --version run next time.
    (void)write_file_atomic(*cache_file,
                            nlohmann::json{{"version_output", run->output}}.dump() + "\n");
  }
  return run->output;
}

// Reads `<tool> --version`, finds the line matching `pattern` and returns its first capture.
Result<Toolchain> identify(const fs::path& requested, std::string_view tool_name,
                           const std::regex& pattern, const std::optional<fs::path>& cache_dir) {
  auto path = find_executable(requested);
  if (!path) {
    return make_error(requested.string() + ": no such executable (looking for " +
                      std::string(tool_name) + ")");
  }
  auto output = version_output(*path, tool_name, cache_dir);
  if (!output) return output.error();
  std::istringstream lines(*output);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (!std::regex_search(line, match, pattern)) continue;
    Toolchain tool;
    tool.path = *path;
    tool.version = match[1].str();
    tool.major = std::atoi(tool.version.c_str());
    tool.version_line = line;
    return tool;
  }
  return make_error(path->string() + ": not " + std::string(tool_name) +
                    " (its --version says: " + first_line(*output) + ")");
}

}  // namespace

fs::path toolchain_cache_dir(const fs::path& cache_dir) { return cache_dir / "toolchains"; }

std::string Toolchain::describe(std::string_view tool_name) const {
  return std::string(tool_name) + " " + version + " (" + path.string() + ")";
}

std::optional<fs::path> find_executable(const fs::path& name) {
  if (name.string().find('/') != std::string::npos) {
    if (!is_executable_file(name)) return std::nullopt;
    return fs::absolute(name).lexically_normal();
  }
  const char* search_path = std::getenv("PATH");
  std::istringstream dirs(search_path ? search_path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) dir = ".";
    fs::path candidate = fs::path(dir) / name;
    if (is_executable_file(candidate)) return fs::absolute(candidate).lexically_normal();
  }
  return std::nullopt;
}

Result<Toolchain> identify_clang(const fs::path& path, const std::optional<fs::path>& cache_dir) {
  static const std::regex pattern(R"(clang version ([0-9]+\.[0-9]+\.[0-9]+))");
  return identify(path, "clang", pattern, cache_dir);
}

Result<Toolchain> identify_ptxas(const fs::path& path, const std::optional<fs::path>& cache_dir) {
  static const std::regex pattern(R"(Cuda compilation tools.*V([0-9]+\.[0-9]+\.[0-9]+))");
  return identify(path, "ptxas", pattern, cache_dir);
}

Result<Toolchain> find_clang(const std::optional<fs::path>& explicit_path,
                             const std::optional<fs::path>& cache_dir) {
  if (explicit_path) {
    auto found = identify_clang(*explicit_path, cache_dir);
    if (!found) return found.error().with_context("--clang");
    return found;
  }
  if (const char* env = std::getenv("AOTC_CLANG"); env && *env) {
    auto found = identify_clang(env, cache_dir);
    if (!found) return found.error().with_context("AOTC_CLANG");
    return found;
  }
  for (int major = kNewestClangMajor; major >= kOldestClangMajor; --major) {
    std::string name = "clang-" + std::to_string(major);
    if (find_executable(name)) return identify_clang(name, cache_dir);
  }
  if (find_executable("clang")) return identify_clang("clang", cache_dir);
  return make_error("no clang found: looked for clang-" + std::to_string(kNewestClangMajor) +
                    " ... clang-" + std::to_string(kOldestClangMajor) +
                    " and clang on PATH; pass --clang PATH or set AOTC_CLANG");
}

Result<std::optional<Toolchain>> find_ptxas(const std::optional<fs::path>& explicit_path,
                                            const std::optional<fs::path>& cache_dir) {
  if (explicit_path) {
    auto found = identify_ptxas(*explicit_path, cache_dir);
    if (!found) return found.error();
    return std::optional<Toolchain>(std::move(found.value()));
  }
  for (const char* candidate : {"ptxas", "/usr/local/cuda/bin/ptxas"}) {
    if (!find_executable(candidate)) continue;
    auto found = identify_ptxas(candidate, cache_dir);
    if (found) return std::optional<Toolchain>(std::move(found.value()));
  }
  return std::optional<Toolchain>();
}

std::vector<Toolchain> find_all_clangs() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("AOTC_CLANG"); env && *env) candidates.emplace_back(env);
  for (int major = kNewestClangMajor; major >= kOldestClangMajor; --major) {
    candidates.emplace_back("clang-" + std::to_string(major));
  }
  candidates.emplace_back("clang");

  std::vector<Toolchain> found;
  std::set<fs::path> seen;  // by canonical path: `clang` is often a link to one of the others
  for (const auto& candidate : candidates) {
    auto path = find_executable(candidate);
    if (!path) continue;
    std::error_code ec;
    fs::path canonical = fs::canonical(*path, ec);
    if (!seen.insert(ec ? *path : canonical).second) continue;
    if (auto tool = identify_clang(*path)) found.push_back(std::move(tool.value()));
  }
  return found;
}

}  // namespace aotc
