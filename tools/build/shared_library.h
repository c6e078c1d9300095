// `aotc build --shared-lib`: each family's generated launcher, C ABI and embedded code objects
// compiled by the host C++ compiler into out/lib/lib<kernel>_aotc.so, linked to libaotc_runtime,
// so that FFIs (the Python package) need nothing but out/ and the runtime library.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

struct SharedLibraryOptions {
  // Default: $CXX, else c++.
  std::optional<std::filesystem::path> cxx;
  // Holding aotc/runtime.h, and libaotc_runtime.so. Default: the runtime aotc was built with.
  std::optional<std::filesystem::path> runtime_include_dir;
  std::optional<std::filesystem::path> runtime_library_dir;
};

// out/lib/lib<kernel>_aotc.so, relative to out/.
std::filesystem::path shared_library_file(const std::string& kernel);

// The compiler command that builds `kernel`'s library from the generated files under
// out_dir/include/aotc into `output`. The library finds libaotc_runtime.so through its RUNPATH:
// its own folder first, then the runtime's.
std::vector<std::string> shared_library_command(const SharedLibraryOptions& options,
                                                const std::filesystem::path& out_dir,
                                                const std::string& kernel,
                                                const std::filesystem::path& output);

// Runs that command; an error carries the command and the compiler's output.
Status compile_shared_library(const SharedLibraryOptions& options,
                              const std::filesystem::path& out_dir, const std::string& kernel,
                              const std::filesystem::path& output);

}  // namespace aotc
