// The generated C ABI (aotc/<kernel>_capi.h) and `aotc build --shared-lib`: the header compiles
// as C11 and as C++ under -Wall -Wextra -Werror, and a C program linked only to the family's
// library answers exactly what the C++ launcher answers for the same inputs.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "launcher/launcher_fixture.h"
#include "tool_skip.h"

using namespace aotc;

namespace {

struct SharedBuild {
  std::filesystem::path dir;      // scratch folder
  std::filesystem::path out;      // out/
  std::filesystem::path library;  // out/lib/libsplit_sum_aotc.so
};

std::optional<SharedBuild> build_shared(const std::string& name) {
  if (!test::find_tool("clang-22")) {
    test::missing_tool("clang-22 not found on PATH: cannot compile the split_sum test kernels");
    return std::nullopt;
  }
  SharedBuild b;
  b.dir = test::fresh_dir(name);
  b.out = b.dir / "out";
  const std::string matrix = AOTC_SOURCE_DIR "/tests/launcher/data/split-sum-matrix.json";
  // The library links the runtime the tests link. aotc's default compiler builds it even in
  // sanitizer builds: a shared library may leave the sanitizer runtime to the executable.
  const std::filesystem::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  const test::CommandResult r = test::run_command(
      test::shell_quote(AOTC_EXE) + " build " + test::shell_quote(matrix) + " -o " +
      test::shell_quote(b.out.string()) + " --shared-lib --runtime-library-dir " +
      test::shell_quote(runtime.parent_path().string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  b.library = b.out / "lib" / "libsplit_sum_aotc.so";
  REQUIRE(std::filesystem::is_regular_file(b.library));
  return b;
}

// `language` names the source's language for the driver ("-x c"): the sanitizer build compiles
// everything with clang++, which refuses to read a .c file as C++ under -Werror.
std::string compile(const SharedBuild& b, const std::string& command_head,
                    const std::string& language, const std::string& source,
                    const std::string& exe_name, bool link) {
  const std::filesystem::path exe = b.dir / exe_name;
  const std::string command =
      command_head + " -Wall -Wextra -Werror -I" + test::shell_quote((b.out / "include").string()) +
      " -I" + test::shell_quote(AOTC_SOURCE_DIR "/runtime/include") + " -x " + language + " " +
      test::shell_quote(source) + " -x none" +
      (link ? " " + test::shell_quote(b.library.string()) + " " +
                  test::shell_quote(AOTC_RUNTIME_SHARED_LIBRARY) + " -Wl,-rpath," +
                  test::shell_quote(
                      b.library.parent_path().string() + ":" +
                      std::filesystem::path(AOTC_RUNTIME_SHARED_LIBRARY).parent_path().string()) +
                  " -o " + test::shell_quote(exe.string())
            : std::string(" -fsyntax-only"));
  const test::CommandResult r = test::run_command(command);
  INFO(command << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.empty());  // not even a warning
  return exe.string();
}

std::string run(const std::string& exe, const std::string& args) {
  const test::CommandResult r = test::run_command(test::shell_quote(exe) + " " + args);
  INFO(exe << " " << args << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

}  // namespace

TEST_CASE("the C ABI compiles as C11 and C++ and answers what the C++ launcher answers") {
  std::optional<SharedBuild> b = build_shared("c_abi");
  if (!b) return;
  const std::string c_exe =
      compile(*b, test::driver_compiler("cc") + " -std=c11 -pedantic", "c",
              AOTC_SOURCE_DIR "/tests/launcher/data/split_sum_c_driver.c", "c_driver", true);
  // The same C file as C++ (the header's extern "C" and its structs must suit both).
  compile(*b, "c++ -std=c++17", "c++", AOTC_SOURCE_DIR "/tests/launcher/data/split_sum_c_driver.c",
          "unused", false);
  // The C++ launcher, compiled from the same generated sources the library was built from.
  const std::filesystem::path cxx_exe = b->dir / "cxx_driver";
  const std::filesystem::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  const std::string command =
      test::driver_compiler("c++") + " -std=c++17 -pthread -I" +
      test::shell_quote((b->out / "include").string()) + " -I" +
      test::shell_quote(AOTC_SOURCE_DIR "/runtime/include") + " " +
      test::shell_quote(AOTC_SOURCE_DIR "/tests/launcher/data/split_sum_driver.cc") + " " +
      test::shell_quote((b->out / "include/aotc/split_sum_launcher.cc").string()) + " " +
      test::shell_quote(runtime.string()) + " -Wl,-rpath," +
      test::shell_quote(runtime.parent_path().string()) + " -o " +
      test::shell_quote(cxx_exe.string());
  const test::CommandResult built = test::run_command(command);
  INFO(command << "\n" << built.output);
  REQUIRE(built.exit_code == 0);

  for (const std::string& args :
       {std::string("variants"), std::string("lookup f64 64 1 32"),
        std::string("lookup f32 128 1 32"), std::string("plan f32 256 4 64 1000000 132"),
        std::string("plan f64 256 1 32 10 304 amd"), std::string("plan f32 64 1 32 0 100"),
        std::string("plan f32 64 4 64 9223372036854775807 132 nvidia"),
        std::string("launch f32 64 1 32"), std::string("launch f64 64 1 32")}) {
    INFO(args);
    CHECK(run(c_exe, args) == run(cxx_exe.string(), args));
  }
  // Errors the C side adds: an enum out of range, NULL arguments.
  CHECK(run(c_exe, "badenum f32 64 1 32") ==
        "supported=0\ncode 4\nsplit_sum: key.acc = 7 is not a value of aotc_split_sum_acc_value "
        "(0..1)\n");
  const std::string nulls = run(c_exe, "nulls f32 64 1 32");
  CHECK(
      nulls.find("supported=0\ncode 4\naotc_split_sum_plan: key, args, device and out must not be "
                 "NULL\ncode 4\naotc_split_sum_workspace_bytes: key, args and bytes must not be "
                 "NULL\ncode 4\naotc_split_sum_launch: key and args must not be NULL\n") == 0);
}

TEST_CASE("aotc build --shared-lib lists the library in the manifest and reports compiler errors") {
  std::optional<SharedBuild> b = build_shared("shared_lib_manifest");
  if (!b) return;
  const test::CommandResult verify = test::run_command(test::shell_quote(AOTC_EXE) + " verify " +
                                                       test::shell_quote(b->out.string()));
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  // A compiler that fails: the build fails naming the library and the command. Nothing else
  // changed, so out/ keeps the previous library and its manifest, which still verifies; no
  // temporary is left behind.
  const std::string matrix = AOTC_SOURCE_DIR "/tests/launcher/data/split-sum-matrix.json";
  const test::CommandResult failed =
      test::run_command(test::shell_quote(AOTC_EXE) + " build " + test::shell_quote(matrix) +
                        " -o " + test::shell_quote(b->out.string()) + " --shared-lib --cxx false");
  INFO(failed.output);
  CHECK(failed.exit_code == 1);
  CHECK(failed.output.find("lib/libsplit_sum_aotc.so: the C++ compiler exited with status 1") !=
        std::string::npos);
  const test::CommandResult still = test::run_command(test::shell_quote(AOTC_EXE) + " verify " +
                                                      test::shell_quote(b->out.string()));
  INFO(still.output);
  CHECK(still.exit_code == 0);
  for (const auto& entry : std::filesystem::directory_iterator(b->out / "lib")) {
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
  }
}
