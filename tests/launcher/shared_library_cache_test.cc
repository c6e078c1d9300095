// `aotc build --shared-lib` caches each family's library by content: a build whose generated
// files, code objects, compiler, flags and runtime are those of an earlier build copies that
// library and never runs the C++ compiler; a change to any of them (here: one runtime header's
// text) compiles again.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "build/subprocess.h"
#include "core/atomic_file.h"
#include "launcher/launcher_fixture.h"
#include "tool_skip.h"

using namespace aotc;
namespace fs = std::filesystem;

namespace {

// Lines of the compiler wrapper's log that are compiles (not `--version`).
int compiles_logged(const fs::path& log) {
  std::ifstream in(log);
  int compiles = 0;
  for (std::string line; std::getline(in, line);)
    compiles += line.find(" -shared ") != std::string::npos;
  return compiles;
}

// A stand-in C++ compiler: a shell script with `body` after the #! line, made executable.
fs::path write_compiler_script(const fs::path& path, const std::string& body) {
  {
    std::ofstream script(path);
    script << "#!/bin/sh\n" << body;
  }
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
  return path;
}

}  // namespace

TEST_CASE("aotc build --shared-lib takes an unchanged library from its cache") {
  if (!test::find_tool("clang-22")) {
    test::missing_tool("clang-22 not found on PATH: cannot compile the split_sum test kernels");
    return;
  }
  const fs::path dir = test::fresh_dir("shared_lib_cache");
  // A C++ compiler that logs its arguments, so the test sees whether it ran.
  const fs::path log = dir / "cxx.log";
  const fs::path cxx = write_compiler_script(
      dir / "logging-c++",
      "echo \"$*\" >> " + test::shell_quote(log.string()) + "\nexec c++ \"$@\"\n");
  // A copy of the runtime's headers, to edit one.
  const fs::path runtime_include = dir / "runtime-include";
  fs::copy(AOTC_SOURCE_DIR "/runtime/include", runtime_include, fs::copy_options::recursive);

  const auto build = [&](const std::string& out_name) {
    const fs::path out = dir / out_name;
    const std::string command =
        test::shell_quote(AOTC_EXE) + " build " +
        test::shell_quote(AOTC_SOURCE_DIR "/tests/launcher/data/split-sum-matrix.json") + " -o " +
        test::shell_quote(out.string()) + " --cache-dir " +
        test::shell_quote((dir / "cache").string()) + " --shared-lib --cxx " +
        test::shell_quote(cxx.string()) + " --runtime-include-dir " +
        test::shell_quote(runtime_include.string()) + " --runtime-library-dir " +
        test::shell_quote(fs::path(AOTC_RUNTIME_SHARED_LIBRARY).parent_path().string());
    const test::CommandResult r = test::run_command(command);
    INFO(command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    auto bytes = read_file_bytes(out / "lib/libsplit_sum_aotc.so");
    REQUIRE(bytes.ok());
    return std::make_pair(r.output, *bytes);
  };

  const auto [first_output, first] = build("a");
  CHECK(compiles_logged(log) == 1);
  CHECK(first_output.find("lib/libsplit_sum_aotc.so (compiled)") != std::string::npos);

  // Another output folder, the same cache: every input equal, so the library is the cached one.
  const auto [second_output, second] = build("b");
  CHECK(compiles_logged(log) == 1);
  CHECK(second_output.find("lib/libsplit_sum_aotc.so (cached)") != std::string::npos);
  CHECK(second == first);
  CHECK(test::run_command(test::shell_quote(AOTC_EXE) + " verify " +
                          test::shell_quote((dir / "b").string()))
            .exit_code == 0);

  // Same paths and flags, one runtime header's text changed: compiled again.
  {
    std::ofstream header(runtime_include / "aotc/runtime.h", std::ios::app);
    header << "// edited\n";
  }
  const auto [third_output, third] = build("c");
  CHECK(compiles_logged(log) == 2);
  CHECK(third_output.find("lib/libsplit_sum_aotc.so (compiled)") != std::string::npos);
}

TEST_CASE(
    "aotc build --shared-lib killed outright while the C++ compiler runs: the rerun waits for the "
    "compiler and leaves no temporaries") {
  if (!test::find_tool("clang-22")) {
    test::missing_tool("clang-22 not found on PATH: cannot compile the split_sum test kernels");
    return;
  }
  const fs::path dir = test::fresh_dir("shared_lib_killed");
  const fs::path started = dir / "started";
  // Its first library compile waits to be killed, then writes its output on the way out, a
  // second late (a linker finishing its file); later compiles are c++'s own.
  const fs::path cxx =
      write_compiler_script(dir / "slow-c++",
                            "case \" $* \" in *\" -shared \"*) ;; *) exec c++ \"$@\" ;; esac\n"
                            "[ -e " +
                                test::shell_quote(started.string()) +
                                " ] && exec c++ \"$@\"\n"
                                ": > " +
                                test::shell_quote(started.string()) +
                                "\n"
                                "out=; previous=\n"
                                "for a; do [ \"$previous\" = -o ] && out=$a; previous=$a; done\n"
                                "trap 'sleep 1; echo late > \"$out\"; exit 1' TERM\n"
                                "sleep 60 & wait\n"
                                "exit 1\n");
  const fs::path out = dir / "out";
  const std::vector<std::string> build = {
      AOTC_EXE,
      "build",
      AOTC_SOURCE_DIR "/tests/launcher/data/split-sum-matrix.json",
      "-o",
      out.string(),
      "--shared-lib",
      "--cxx",
      cxx.string(),
      "--runtime-include-dir",
      AOTC_SOURCE_DIR "/runtime/include",
      "--runtime-library-dir",
      fs::path(AOTC_RUNTIME_SHARED_LIBRARY).parent_path().string()};

  SubprocessSet killed;
  REQUIRE(killed.start(build, 0).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (!fs::exists(started) && killed.running() > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    killed.wait(std::chrono::milliseconds(10));
  }
  REQUIRE(fs::exists(started));
  REQUIRE(::kill(killed.pids().front(), SIGKILL) == 0);
  while (killed.running() > 0) killed.wait();

  // Started at once: out/ stays locked until the compiler has written its late file, and only
  // then does this build remove what the killed one left.
  auto rerun = run_process(build);
  REQUIRE(rerun.ok());
  INFO(rerun->output);
  REQUIRE(rerun->succeeded());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::string left;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.path().filename().string().starts_with(".tmp.")) left += entry.path().string() + " ";
  }
  INFO("temporaries left: " << left);
  CHECK(left.empty());
}
