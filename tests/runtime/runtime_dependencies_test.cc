// The runtime's dependency budget (runtime/README.md, "Dependencies"): libaotc_runtime.so needs
// nothing but the C/C++ runtime, the static archive links into a program alone, and what
// compressed bundles need (zstd or zlib, libcrypto's MD5) is opened only when one is read, with
// an error naming the library when it is missing.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "image_selection.h"
#include "test_kernels.h"
#include "tool_skip.h"

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return result;
}

bool have(const std::string& tool) { return run("command -v " + tool).exit_code == 0; }

// The compiler for programs linked against the runtime: in sanitizer builds the project's own,
// with the same sanitizers (the runtime's objects then need their runtime).
std::string compiler() {
#ifdef AOTC_TEST_SANITIZER_COMPILER
  return std::string(AOTC_TEST_SANITIZER_COMPILER) + " -fsanitize=address,undefined";
#else
  return "c++";
#endif
}

}  // namespace

TEST_CASE("libaotc_runtime.so needs nothing but the C and C++ runtime libraries") {
  if (!have("readelf")) {
    aotc::test::missing_tool("readelf (binutils)");
    return;
  }
  const CommandResult r = run(std::string("readelf -d ") + AOTC_RUNTIME_SHARED_LIBRARY);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // "0x...01 (NEEDED)  Shared library: [libc.so.6]"
  const std::set<std::string> allowed{"libc.so.6",           "libm.so.6",  "libstdc++.so.6",
                                      "libgcc_s.so.1",       "libdl.so.2", "libpthread.so.0",
                                      "ld-linux-x86-64.so.2"};
  std::istringstream lines(r.output);
  std::set<std::string> needed;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("(NEEDED)") == std::string::npos) continue;
    const std::size_t open = line.find('['), close = line.find(']');
    REQUIRE(open != std::string::npos);
    needed.insert(line.substr(open + 1, close - open - 1));
  }
  CHECK(needed.count("libc.so.6") == 1);
  for (const std::string& library : needed) {
    INFO("NEEDED " << library);
    CHECK(allowed.count(library) == 1);
  }
}

TEST_CASE("the static runtime archive links into a program with nothing else") {
  const std::filesystem::path dir =
      std::filesystem::path(AOTC_BINARY_DIR) / "tests" / "runtime" / "static_link";
  std::filesystem::create_directories(dir);
  const std::filesystem::path program = dir / "program.cc";
  FILE* f = std::fopen(program.c_str(), "w");
  REQUIRE(f != nullptr);
  // Touches the readers and the loader: opening a runtime and a module over a bundle file.
  std::fputs(
      "#include <aotc/runtime.h>\n#include <cstdio>\n"
      "int main() {\n"
      "  aotc_runtime* rt = nullptr;\n"
      "  aotc_status s = aotc_runtime_open(AOTC_BACKEND_CUDA, &rt);\n"
      "  std::printf(\"%d %s\\n\", (int)aotc_status_get_code(s), aotc_status_message(s));\n"
      "  aotc_status_free(s);\n"
      "  return 0;\n}\n",
      f);
  std::fclose(f);
  const std::string command = compiler() + " -std=c++17 -I" AOTC_SOURCE_DIR "/runtime/include " +
                              program.string() + " " + AOTC_RUNTIME_STATIC_LIBRARY + " -o " +
                              (dir / "program").string();
  const CommandResult linked = run(command);
  INFO(command << "\n" << linked.output);
  REQUIRE(linked.exit_code == 0);
  // No libcuda here (or a real one): either way it runs and answers with a status.
  const CommandResult ran =
      run("AOTC_CUDA_LIBRARY=/nonexistent/libcuda.so.1 " + (dir / "program").string());
  INFO(ran.output);
  CHECK(ran.exit_code == 0);
  CHECK_THAT(ran.output, Catch::StartsWith("1 no CUDA driver library could be loaded"));
}

TEST_CASE("a compressed bundle without its decompression library is an error naming it") {
  const std::filesystem::path bundle = aotc_test::kernel_file("bundle-compressed");
  if (bundle.empty()) {
    aotc::test::missing_tool(aotc_test::missing_tool_for("bundle-compressed"));
    return;
  }
  // Read at first use: this process has not needed zstd or zlib yet.
  ::setenv("AOTC_ZSTD_LIBRARY", "/nonexistent/libzstd.so.1", 1);
  ::setenv("AOTC_ZLIB_LIBRARY", "/nonexistent/libz.so.1", 1);
  std::vector<aotc::runtime::ImageSource> images = {
      aotc::runtime::ImageSource{"", "bundle", nullptr, 0, bundle.string()}};
  aotc::runtime::SelectedImage chosen;
  auto status =
      aotc::runtime::select_image(AOTC_BACKEND_HIP, "gfx90a:sramecc-:xnack+", images, &chosen);
  REQUIRE(status);
  CHECK(status->code == AOTC_ERROR_BAD_IMAGE);
  CHECK_THAT(status->message, Catch::Contains("images[0] (bundle)") &&
                                  Catch::Contains("decompressing needs z") &&
                                  Catch::Contains("could be loaded; tried: /nonexistent/libz"));
}
