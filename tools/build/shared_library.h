// `aotc build --shared-lib`: each family's generated launcher, C ABI and embedded code objects
// compiled by the host C++ compiler into out/lib/lib<kernel>_aotc.so, linked to libaotc_runtime,
// so that FFIs (the Python package) need nothing but out/ and the runtime library.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/subprocess.h"
#include "core/result.h"

namespace aotc {

struct SharedLibraryOptions {
  // Default: $CXX, else c++.
  std::optional<std::filesystem::path> cxx;
  // Holding aotc/runtime.h, and libaotc_runtime.so. Default: an installed aotc's own runtime
  // (../include and ../lib beside its executable), else the runtime aotc was built with.
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

// What the library's bytes depend on, hashed: the command (its output aside), the compiler's
// identity (`--version`), every generated file it compiles and the code objects its assembly
// embeds, the runtime's headers and library. Equal keys give equal libraries.
Result<std::string> shared_library_key(const SharedLibraryOptions& options,
                                       const std::filesystem::path& out_dir,
                                       const std::string& kernel);

enum class SharedLibrarySource { compiled, cached };

// Writes `kernel`'s library to `output`: a copy of cache_dir/shared-libs/<key>.so when one was
// built before, else compiled (and then stored there). A compiler error carries the command and
// the compiler's output. The compiler is started with `spawn`: the build's output lock, which it
// holds until it ends, so a build killed meanwhile keeps out/ locked until its `output` is
// written or abandoned.
Result<SharedLibrarySource> build_shared_library(const SharedLibraryOptions& options,
                                                 const std::filesystem::path& out_dir,
                                                 const std::string& kernel,
                                                 const std::filesystem::path& output,
                                                 const std::filesystem::path& cache_dir,
                                                 SpawnOptions spawn = {});

}  // namespace aotc
