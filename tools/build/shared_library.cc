#include "build/shared_library.h"

#include <cstdlib>

#include "build/subprocess.h"

namespace aotc {
namespace fs = std::filesystem;

fs::path shared_library_file(const std::string& kernel) {
  return fs::path("lib") / ("lib" + kernel + "_aotc.so");
}

std::vector<std::string> shared_library_command(const SharedLibraryOptions& options,
                                                const fs::path& out_dir, const std::string& kernel,
                                                const fs::path& output) {
  const char* env_cxx = std::getenv("CXX");
  const std::string cxx = options.cxx                                ? options.cxx->string()
                          : env_cxx != nullptr && env_cxx[0] != '\0' ? std::string(env_cxx)
                                                                     : std::string("c++");
  const fs::path include = out_dir / "include";
  const fs::path generated = include / "aotc";
  const fs::path runtime_include = options.runtime_include_dir.value_or(AOTC_RUNTIME_INCLUDE_DIR);
  const fs::path runtime_lib = options.runtime_library_dir.value_or(AOTC_RUNTIME_LIBRARY_DIR);
  // Only the C ABI is exported (-fvisibility=hidden; the C header marks its functions default),
  // so two family libraries in one process cannot bind each other's C++ symbols. The runtime's
  // headers come before out/include: an out/ written by an older aotc may still hold its generated
  // launcher_support.h until this build finishes.
  return {cxx,
          "-std=c++17",
          "-O2",
          "-fPIC",
          "-shared",
          "-fvisibility=hidden",
          "-pthread",
          "-I" + runtime_include.string(),
          "-I" + include.string(),
          (generated / (kernel + "_launcher.cc")).string(),
          (generated / (kernel + "_capi.cc")).string(),
          (generated / (kernel + "_embed.S")).string(),
          "-L" + runtime_lib.string(),
          "-laotc_runtime",
          "-Wl,-rpath,$ORIGIN:" + runtime_lib.string(),
          "-Wl,--no-undefined",
          "-o",
          output.string()};
}

Status compile_shared_library(const SharedLibraryOptions& options, const fs::path& out_dir,
                              const std::string& kernel, const fs::path& output) {
  const std::vector<std::string> argv = shared_library_command(options, out_dir, kernel, output);
  std::string command;
  for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
  Result<ProcessResult> ran = run_process(argv);
  if (!ran) return ran.error().with_context(shared_library_file(kernel).string() + ": " + command);
  if (!ran->succeeded()) {
    return make_error(shared_library_file(kernel).string() + ": the C++ compiler " +
                      ran->describe_exit() + ":\n  " + command + "\n" + ran->output);
  }
  return Status::success();
}

}  // namespace aotc
