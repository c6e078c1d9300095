#include "test_kernels.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

namespace fs = std::filesystem;

namespace aotc_test {
namespace {

bool have_tool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

std::string ptxas() {
  if (have_tool("ptxas")) return "ptxas";
  return fs::exists("/usr/local/cuda/bin/ptxas") ? "/usr/local/cuda/bin/ptxas" : "";
}

struct Recipe {
  std::string tool;                  // what must exist (clang-22 runs clang-offload-bundler-22
                                     // itself to write a bundle: then that is what must exist)
  std::string command;               // {src} and {out} substituted
  std::string source = "saxpy.hip";  // in tests/runtime/data
};

const std::map<std::string, Recipe>& recipes() {
  const std::string amd =
      "clang-22 -x hip -nogpuinc -nogpulib --offload-device-only -O3 {src} -o {out} ";
  static const std::map<std::string, Recipe> table = {
      {"gfx942",
       {"clang-22", amd + "--no-gpu-bundle-output --offload-arch=gfx942 -mcode-object-version=5"}},
      {"gfx90a",
       {"clang-22", amd + "--no-gpu-bundle-output --offload-arch=gfx90a -mcode-object-version=5"}},
      {"gfx9-4-generic",
       {"clang-22",
        amd + "--no-gpu-bundle-output --offload-arch=gfx9-4-generic -mcode-object-version=6"}},
      {"bundle",
       {"clang-offload-bundler-22",
        amd + "--offload-arch=gfx90a --offload-arch=gfx9-4-generic -mcode-object-version=6"}},
      {"bundle-compressed",
       {"clang-offload-bundler-22", amd + "--offload-arch=gfx90a --offload-arch=gfx9-4-generic "
                                          "-mcode-object-version=6 --offload-compress"}},
      {"sm_90a.ptx",
       {"clang-22",
        "clang-22 -x cuda --cuda-gpu-arch=sm_90a -nocudainc -nocudalib "
        "--cuda-device-only -O3 -S {src} -o {out} 2>/dev/null"}},
      {"fake-hip-r0600.so",
       {"cc", "cc -shared -fPIC -O1 -DFAKE_R0600 {src} -o {out}", "fake_hip.c"}},
      {"fake-hip-r0500.so", {"cc", "cc -shared -fPIC -O1 {src} -o {out}", "fake_hip.c"}},
  };
  return table;
}

std::string substitute(std::string text, const std::string& name, const std::string& value) {
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name)) {
    text.replace(at, name.size(), value);
  }
  return text;
}

// Builds into a temporary sibling and renames, so test processes running at once never see a
// half-written file.
fs::path build(const std::string& key, const std::string& command,
               const std::string& source_name = "saxpy.hip") {
  fs::path dir = fs::path(AOTC_BINARY_DIR) / "tests" / "runtime" / "kernels";
  fs::create_directories(dir);
  fs::path source = fs::path(AOTC_SOURCE_DIR) / "tests" / "runtime" / "data" / source_name;
  fs::path out = dir / key;
  if (fs::exists(out) && fs::last_write_time(out) >= fs::last_write_time(source)) return out;
  fs::path temporary = dir / (".tmp." + key + "." + std::to_string(::getpid()));
  std::string line =
      substitute(substitute(command, "{src}", source.string()), "{out}", temporary.string());
  // The tools are there (missing_tool_for said so): a failing command is the test's failure.
  if (std::system(line.c_str()) != 0) FAIL("building test kernel " << key << " failed: " << line);
  fs::rename(temporary, out);
  return out;
}

}  // namespace

std::string missing_tool_for(const std::string& key) {
  if (key == "sm_90a.cubin") {
    if (!have_tool("clang-22")) return "clang-22";
    return ptxas().empty() ? "ptxas" : "";
  }
  const std::string& tool = recipes().at(key).tool;
  if (tool == "clang-offload-bundler-22" && !have_tool("clang-22")) return "clang-22";
  return have_tool(tool) ? "" : tool;
}

fs::path kernel_file(const std::string& key) {
  if (!missing_tool_for(key).empty()) return {};
  if (key == "sm_90a.cubin") {
    fs::path ptx = kernel_file("sm_90a.ptx");
    if (ptx.empty()) return {};
    return build(key, ptxas() + " -arch=sm_90a " + ptx.string() + " -o {out}");
  }
  const Recipe& recipe = recipes().at(key);
  return build(key, recipe.command, recipe.source);
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace aotc_test
