// `aotc build`: the whole pipeline, one call per phase —
//   load matrix -> expand -> find toolchains -> plan (check targets, cache keys) -> lock out/ ->
//   cache lookups -> compile the misses in parallel -> install outputs -> manifest.
// Compile failures do not stop other compiles (unless fail_fast); they are reported with the
// command and the compiler's diagnostics and counted in the summary, and no manifest is written.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "build/status_printer.h"
#include "core/result.h"

namespace aotc {

struct BuildOptions {
  std::filesystem::path matrix_file = "build-matrix.json";
  std::filesystem::path out_dir = "out";
  std::optional<std::filesystem::path> cache_dir;    // default: <out_dir>/.cache
  std::size_t jobs = 0;                              // 0: one per CPU core
  std::optional<std::filesystem::path> clang;        // default: see find_clang
  std::optional<std::filesystem::path> ptxas;        // default: see find_ptxas
  std::optional<std::filesystem::path> python;       // for Triton kernels; default: see find_python
  std::optional<std::filesystem::path> source_root;  // replaces the matrix's "root"
  std::vector<std::string> targets;                  // subset of the matrix's targets; empty: all
  std::string remote_cache;  // URL of a shared cache (remote_cache.h); empty: none
  bool fail_fast = false;
  bool dry_run = false;        // print the commands; compile, write and lock nothing
  bool wait_for_lock = true;   // false: fail at once if another build holds out/.lock
  bool redraw_status = false;  // redraw one status line (a terminal) instead of printing lines
};

// Runs a build, printing progress, failures and the summary to `out`. An Error means the build
// could not run or was interrupted (nothing half-written either way); a BuildSummary with
// failed > 0 means some compiles failed.
Result<BuildSummary> run_build(const BuildOptions& options, std::ostream& out);

}  // namespace aotc
