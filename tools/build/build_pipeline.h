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

#include "build/shard.h"
#include "build/shared_library.h"
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
  // Build only this shard's objects and write a shard manifest instead of packaging (shard.h).
  std::optional<ShardSpec> shard;
  // aotc merge: package these shard outputs (shard.h) instead of compiling anything.
  std::vector<std::filesystem::path> merge;
  // Write the build as a Ninja file (ninja_writer.h) instead of building; `launcher` is prefixed
  // to its clang compiles.
  std::optional<std::filesystem::path> emit_ninja;
  std::string launcher;
  // aotc package: the clang objects were compiled by that Ninja file into
  // <objects_dir>/<target>/<stem>.<kind>; take them instead of compiling (Triton objects, which
  // the Ninja file leaves to this step, are built as usual).
  std::optional<std::filesystem::path> objects_dir;
  // After a successful build, a make-style dependency file naming manifest.json and every file
  // the build read (the matrix, the sources, their include closure): for Ninja and CMake.
  std::optional<std::filesystem::path> depfile;
  bool fail_fast = false;
  bool dry_run = false;        // print the commands; compile, write and lock nothing
  bool wait_for_lock = true;   // false: fail at once if another build holds out/.lock
  bool redraw_status = false;  // redraw one status line (a terminal) instead of printing lines
  // Also compile each family's launcher into out/lib/lib<kernel>_aotc.so (shared_library.h).
  bool shared_libraries = false;
  SharedLibraryOptions shared_library;
  bool timings = false;  // print where the wall time went after the summary
};

// Runs a build, printing progress, failures and the summary to `out`. An Error means the build
// could not run or was interrupted (nothing half-written either way); a BuildSummary with
// failed > 0 means some compiles failed.
Result<BuildSummary> run_build(const BuildOptions& options, std::ostream& out);

}  // namespace aotc
