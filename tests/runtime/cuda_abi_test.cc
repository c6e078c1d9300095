// The runtime declares the CUDA driver's types and constants itself (cuda_symbols.h), so it needs
// no CUDA header to build; this test compiles data/cuda_abi_check.cc, whose static_asserts compare
// them with the installed toolkit's cuda.h.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tool_skip.h"

namespace {

// The first include folder holding cuda.h: $CUDA_PATH's, /usr/local/cuda's, the system's.
std::string cuda_include() {
  std::vector<std::string> candidates;
  if (const char* path = std::getenv("CUDA_PATH"))
    candidates.push_back(std::string(path) + "/include");
  candidates.push_back("/usr/local/cuda/include");
  candidates.push_back("/usr/include");
  for (const std::string& dir : candidates) {
    if (std::filesystem::exists(dir + "/cuda.h")) return dir;
  }
  return "";
}

}  // namespace

TEST_CASE("the CUDA driver ABI written out in cuda_symbols.h matches cuda.h") {
  const std::string include = cuda_include();
  if (include.empty()) {
    aotc::test::missing_tool("cuda.h (CUDA toolkit): checking the runtime's CUDA declarations");
    return;
  }
  const std::string command = "c++ -std=c++17 -fsyntax-only -I'" + include +
                              "' -I'" AOTC_SOURCE_DIR "/runtime/src' '" AOTC_SOURCE_DIR
                              "/tests/runtime/data/cuda_abi_check.cc' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    output.append(buffer, n);
  const int status = pclose(pipe);
  INFO(command << "\n" << output);
  CHECK(status == 0);
}
