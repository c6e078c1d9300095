// Shared by the build tests: a scratch copy of tests/build/data per test (the cache tests edit
// headers, so the source tree is never touched), running the real aotc binary, and checking that a
// manifest describes exactly the files beside it.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "build/output_verify.h"
#include "build/subprocess.h"
#include "build/toolchain_discovery.h"
#include "core/atomic_file.h"
#include "core/hashing.h"
#include "tool_skip.h"

namespace aotc::test {

namespace fs = std::filesystem;

// A fresh copy of tests/build/data under the build tree, removed when the test ends.
class Workspace {
 public:
  explicit Workspace(const std::string& name) {
    static std::atomic<int> counter{0};
    dir_ = fs::path(AOTC_BINARY_DIR) / "test-scratch" /
           (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(fs::path(AOTC_SOURCE_DIR) / "tests/build/data", dir_, fs::copy_options::recursive);
  }
  ~Workspace() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }
  fs::path operator/(const fs::path& relative) const { return dir_ / relative; }

 private:
  fs::path dir_;
};

// Runs aotc with `args` (absolute paths: it runs in the test's working directory); returns what
// it printed and how it exited.
inline ProcessResult run_aotc(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {AOTC_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_process(argv);
  REQUIRE(result.ok());
  return result.value();
}

// True when clang-22 is installed (CI installs it); otherwise the test WARNs and returns early.
inline bool have_clang22() {
  if (find_executable("clang-22")) return true;
  test::missing_tool("clang-22 (compiles real kernels)");
  return false;
}

inline nlohmann::json read_json(const fs::path& path) {
  auto text = read_file_text(path);
  REQUIRE(text.ok());
  return nlohmann::json::parse(*text);
}

// Every file the manifest lists (code objects, PTX, bundles, launchers) exists with the listed
// size and SHA-256; returns the set of code-object and PTX files named (relative to out/).
inline std::set<std::string> check_manifest_matches_files(const fs::path& out) {
  nlohmann::json manifest = read_json(out / "manifest.json");
  CHECK(manifest["schema"] == "aotc-manifest");
  CHECK(manifest["schema_version"] == 1);
  auto listed = listed_output_files(manifest);
  INFO((listed ? "" : listed.error().message));
  REQUIRE(listed.ok());
  std::set<std::string> files;
  for (const auto& file : *listed) {
    INFO(file.file << " (" << file.where << ")");
    auto bytes = read_file_bytes(out / file.file);
    REQUIRE(bytes.ok());
    CHECK(bytes->size() == file.size);
    CHECK(to_hex(sha256(*bytes)) == file.sha256);
    if (file.where.find(".objects[") != std::string::npos) files.insert(file.file);
  }
  return files;
}

// Files left under `dir` whose names start with ".tmp." (half-written outputs).
inline std::vector<fs::path> temporaries_under(const fs::path& dir) {
  std::vector<fs::path> found;
  if (!fs::exists(dir)) return found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(".tmp.")) found.push_back(entry.path());
  }
  return found;
}

// A temporary for a failure message: its path under `dir`, size, age and whether its writer (the
// pid in its name) still runs. Which file it is and when it was written tell who left it.
inline std::string describe_temporary(const fs::path& dir, const fs::path& path) {
  std::string text = path.lexically_relative(dir).string();
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec) text += ", " + std::to_string(size) + " bytes";
  const auto written = fs::last_write_time(path, ec);
  if (!ec) {
    const auto age = fs::file_time_type::clock::now() - written;
    text += ", written " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(age).count()) +
            " ms ago";
  }
  if (auto pid = temporary_writer_pid(path.filename().string())) {
    const bool alive = ::kill(static_cast<pid_t>(*pid), 0) == 0 || errno == EPERM;
    text += ", writer pid " + std::to_string(*pid) + (alive ? " alive" : " gone");
  }
  return text;
}

// No temporaries under `dir`; a failure names each one left.
inline void check_no_temporaries(const fs::path& dir) {
  const auto found = temporaries_under(dir);
  std::string listed;
  for (const auto& path : found) listed += "\n  " + describe_temporary(dir, path);
  INFO("temporaries left under " << dir.string() << ":" << listed);
  CHECK(found.empty());
}

}  // namespace aotc::test
