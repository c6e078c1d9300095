// `aotc build --emit-ninja FILE`: the build as a Ninja file, so users spread the compiles with
// Ninja and a compiler launcher they already run (ccache, sccache, icecc, distcc, a
// remote-execution wrapper): one edge per variant x target with aotc's own clang command line and
// dependency file (deps = gcc), the `launcher` variable prefixed to every clang compile, one
// ptxas edge per cubin, and a final edge running `aotc package`, which makes the metadata,
// bundles, launchers and manifest from the compiled objects exactly as `aotc build` would.
// The file regenerates itself when the matrix or aotc changes (a generator edge, as CMake's).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

// One edge. Paths absolute.
struct NinjaStep {
  std::vector<std::string> argv;
  std::vector<std::filesystem::path> outputs;
  std::vector<std::filesystem::path> inputs;
  std::vector<std::filesystem::path> implicit_inputs;  // after `|`
  std::filesystem::path depfile;                       // empty: none
  std::string description;
};

struct NinjaFile {
  std::string launcher;              // may be empty; written as the `launcher` variable
  std::vector<NinjaStep> compiles;   // clang: $launcher prefixed, deps = gcc
  std::vector<NinjaStep> assembles;  // ptxas
  std::vector<NinjaStep> finals;     // aotc package (may have a depfile of its own)
  NinjaStep regenerate;              // rewrites this file (generator = 1)
};

// The text of build.ninja; an error when an argument or path cannot be written (a newline).
Result<std::string> ninja_file_text(const NinjaFile& file);

}  // namespace aotc
