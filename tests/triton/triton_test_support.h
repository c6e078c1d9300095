// Shared by the Triton frontend's tests: a scratch folder with a copy of the stand-in triton
// package (fake_triton/README.md) configured per test and put on PYTHONPATH, and running the aotc
// binary with the python3 CI installs.
#pragma once

#include <unistd.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "build/subprocess.h"
#include "build/toolchain_discovery.h"
#include "core/atomic_file.h"

namespace aotc::test {

namespace fs = std::filesystem;

class TritonWorkspace {
 public:
  // `config`: the stand-in's _fake_config.json (version, api, gluon, fail_in, die_in).
  explicit TritonWorkspace(const std::string& name,
                           nlohmann::json config = nlohmann::json::object()) {
    static std::atomic<int> counter{0};
    dir_ = fs::path(AOTC_BINARY_DIR) / "test-scratch" /
           ("triton-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(fs::path(AOTC_SOURCE_DIR) / "tests/triton/fake_triton", dir_ / "fake",
             fs::copy_options::recursive);
    configure(std::move(config));
    const char* old = std::getenv("PYTHONPATH");
    old_pythonpath_ = old ? std::optional<std::string>(old) : std::nullopt;
    ::setenv("PYTHONPATH", (dir_ / "fake").c_str(), 1);
  }
  ~TritonWorkspace() {
    if (old_pythonpath_) {
      ::setenv("PYTHONPATH", old_pythonpath_->c_str(), 1);
    } else {
      ::unsetenv("PYTHONPATH");
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TritonWorkspace(const TritonWorkspace&) = delete;
  TritonWorkspace& operator=(const TritonWorkspace&) = delete;

  // Rewrites the stand-in's configuration (the recordings stay the source tree's).
  void configure(nlohmann::json config) {
    config["recordings"] = (fs::path(AOTC_SOURCE_DIR) / "tests/triton/data/recordings").string();
    REQUIRE(write_file_atomic(dir_ / "fake/triton/_fake_config.json", config.dump()).ok());
  }

  const fs::path& dir() const { return dir_; }
  fs::path operator/(const fs::path& relative) const { return dir_ / relative; }

 private:
  fs::path dir_;
  std::optional<std::string> old_pythonpath_;
};

// CI installs python3; a test that needs it fails without it.
inline std::string python3() {
  auto path = find_executable("python3");
  REQUIRE(path.has_value());
  return path->string();
}

inline ProcessResult run_aotc(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {AOTC_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_process(argv);
  REQUIRE(result.ok());
  return result.value();
}

// `aotc build MATRIX -o OUT -j 2 --python python3`.
inline ProcessResult build(const fs::path& matrix, const fs::path& out,
                           std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"build", matrix.string(), "-o",     out.string(), "-j",
                                   "2",     "--python",      python3()};
  args.insert(args.end(), more.begin(), more.end());
  return run_aotc(args);
}

inline nlohmann::json read_json(const fs::path& path) {
  auto text = read_file_text(path);
  REQUIRE(text.ok());
  return nlohmann::json::parse(*text);
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

inline fs::path example_matrix() {
  return fs::path(AOTC_SOURCE_DIR) / "configs/triton-splitk-gemv.json";
}

}  // namespace aotc::test
