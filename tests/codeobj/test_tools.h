// Helpers for tests that run the real LLVM/CUDA tools: locate them, run a command and capture its
// output, compile small kernels into a per-test scratch directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aotc::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh (test code only: arguments are ours, not user input).
CommandResult run_command(const std::string& command);

// Absolute path of a tool if it exists and is executable.
std::optional<std::string> find_tool(const std::vector<std::string>& candidates);

std::optional<std::string> clang22();
std::optional<std::string> bundler22();
std::optional<std::string> bundler19();
std::optional<std::string> readelf22();
std::optional<std::string> ptxas();

// A fresh directory under the build tree, removed when the object goes away.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);
void write_text(const std::filesystem::path& path, const std::string& text);

// A HIP source with kernels that exercise hidden arguments, LDS, by-value structs and (with
// -DUSE_MFMA on gfx90a+) AGPRs.
std::string sample_hip_source();

// Compiles sample_hip_source() (or `source`) for `offload_arch` into a plain code object.
std::filesystem::path compile_hsaco(const ScratchDir& dir, const std::string& offload_arch,
                                    const std::string& extra_flags = "",
                                    const std::string& source = "");

}  // namespace aotc::test
