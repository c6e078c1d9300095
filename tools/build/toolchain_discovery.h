// Finding the compilers: clang (for AMD code objects and NVIDIA PTX) and ptxas (PTX -> cubin).
// A tool's identity is the path it was found at plus the version it reports; both go into cache
// keys and the manifest, so switching compilers never reuses another compiler's outputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

struct Toolchain {
  std::filesystem::path path;  // absolute, as found (not symlink-resolved): /usr/bin/clang-22
  std::string version;         // "22.1.8" for clang, "13.0.88" for ptxas
  int major = 0;               // 22
  std::string
      version_line;  // the tool's own first line, e.g. "Debian clang version 22.1.8 (1~deb12u1)"

  // "clang 22.1.8 (/usr/bin/clang-22)", for messages.
  std::string describe(std::string_view tool_name) const;
};

// Every function below that takes `cache_dir` remembers `--version` answers there
// (<cache_dir>/toolchains/id-<hash>.json), keyed by the executable's resolved path, size and
// modification time: a warm build then spawns no tool at all (clang --version alone costs tens
// of milliseconds of dynamic linking). Without a cache directory the tool is always asked.

// <cache_dir>/toolchains: the `--version` answers, the target probes (target_support.h) and the
// Triton probes (python_discovery.h). A build writes them while it plans, before it locks out/.
std::filesystem::path toolchain_cache_dir(const std::filesystem::path& cache_dir);

// Runs `<path> --version` and reads the clang version. `path` may be a bare name (searched on
// PATH).
Result<Toolchain> identify_clang(
    const std::filesystem::path& path,
    const std::optional<std::filesystem::path>& cache_dir = std::nullopt);
// Runs `<path> --version` and reads ptxas's "V13.0.88".
Result<Toolchain> identify_ptxas(
    const std::filesystem::path& path,
    const std::optional<std::filesystem::path>& cache_dir = std::nullopt);

// The clang a build uses: `explicit_path` (--clang) if given, else $AOTC_CLANG, else the newest
// of clang-22 ... clang-17 on PATH, else `clang`.
Result<Toolchain> find_clang(const std::optional<std::filesystem::path>& explicit_path,
                             const std::optional<std::filesystem::path>& cache_dir = std::nullopt);

// ptxas for NVIDIA cubins: `explicit_path` (--ptxas; an error if unusable), else ptxas on PATH,
// else /usr/local/cuda/bin/ptxas; nullopt when none exists (NVIDIA targets then get PTX only).
Result<std::optional<Toolchain>> find_ptxas(
    const std::optional<std::filesystem::path>& explicit_path,
    const std::optional<std::filesystem::path>& cache_dir = std::nullopt);

// Every distinct clang that find_clang could pick ($AOTC_CLANG, clang-22 ... clang-17, clang),
// newest first, for `aotc targets`.
std::vector<Toolchain> find_all_clangs();

// Searches PATH for an executable named `name`; nullopt if absent. Names with a slash are
// checked as given.
std::optional<std::filesystem::path> find_executable(const std::filesystem::path& name);

}  // namespace aotc
