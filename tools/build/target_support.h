// Which GPU targets a clang can build. The answer comes from the compiler itself
// (`--target=amdgcn-amd-amdhsa -print-supported-cpus`, same for nvptx64-nvidia-cuda), because
// distributions patch and backport; a small table of the LLVM release that introduced well-known
// targets only improves the message when the probe says no. Probe results are cached per compiler
// identity, so a warm build spawns no probe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/toolchain_discovery.h"
#include "core/result.h"
#include "core/vendor.h"

namespace aotc {

// Generic AMD targets (gfx9-4-generic, gfx11-generic, ...) exist only from code object v6 on.
bool is_generic_target(std::string_view target);

struct TargetSupport {
  std::vector<std::string> amd;     // sorted processor names, e.g. gfx90a, gfx942
  std::vector<std::string> nvidia;  // sorted, e.g. sm_80, sm_90a

  bool supports(std::string_view target) const;
};

// Asks the compiler. With a cache directory, the answer is read from / written to
// <cache_dir>/toolchains/<hash of identity>.json; `write_cache` false only reads (dry runs).
Result<TargetSupport> probe_targets(const Toolchain& clang,
                                    const std::optional<std::filesystem::path>& cache_dir,
                                    bool write_cache = true);

// Checks that `clang` can build `target` with the requested AMD code-object version, e.g.
// "gfx950 needs LLVM >= 20; found clang 19.1.7 (/usr/bin/clang-19)".
Status check_target(const Toolchain& clang, const TargetSupport& support, std::string_view target,
                    int code_object_version);

}  // namespace aotc
