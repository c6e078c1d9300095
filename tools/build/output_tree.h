// The output directory's housekeeping, so that whatever happens to a build (a failure, Ctrl-C,
// a kill -9) out/ never holds half a file and a manifest.json, when present, describes exactly the
// files beside it:
//  - every file is written atomically (temporary `.tmp.*` sibling + rename), and temporaries an
//    interrupted build left behind are removed at the start of the next one;
//  - before the first output changes, manifest.json is removed; the new one is written only at the
//    end of a successful build;
//  - out/.outputs lists every file aotc may have written (updated before writing), so files of
//    variants or targets no longer in the matrix are removed at the end of the next successful
//    build, even if the build that wrote them was killed. Files aotc never wrote are left alone.
//  - out/.outputs also stamps each file aotc wrote with its size, inode, modification time and
//    SHA-256 (ninja's and git's idea): a file whose stat still matches its stamp is known to hold
//    that content without being read, which is what makes a no-op rebuild cost milliseconds.
//    Any rewrite (by aotc or anyone) changes the inode or mtime, so the stamp stops matching and
//    the file is compared or rewritten.
// The caller holds the output lock (output_lock.h) throughout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

// Marks out/ as being built (out/.building) while alive. A build that ends in any ordinary way
// (success, failure, Ctrl-C) removes its own temporaries and then the marker; finding the marker
// at start means the previous build died outright (SIGKILL, power loss), and only then are out/
// and the cache scanned for its `.tmp.*` files, so a normal build never walks the cache. Call it
// with the output lock held: the processes a dead build started keep that lock until they end
// (OutputLock::fd), so nothing can still be writing into out/ and every temporary there is
// stale. A cache directory may be shared by builds of other output directories, so there only
// temporaries whose writer (the pid in their name) is no longer alive are removed. One part of
// the cache is written before the lock is taken, the toolchain answers a build finds while it
// plans (toolchain_cache_dir): every build removes dead writers' temporaries there, marker or not.
class BuildMarker {
 public:
  static Result<BuildMarker> create(const std::filesystem::path& out_dir,
                                    const std::filesystem::path& cache_dir);
  BuildMarker(BuildMarker&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  BuildMarker(const BuildMarker&) = delete;
  BuildMarker& operator=(const BuildMarker&) = delete;
  BuildMarker& operator=(BuildMarker&&) = delete;
  ~BuildMarker();

 private:
  explicit BuildMarker(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

class OutputTree {
 public:
  // `planned`: every file (relative to out_dir) this build will produce. Reads out/.outputs.
  OutputTree(std::filesystem::path out_dir, std::set<std::filesystem::path> planned);

  // Removes `.tmp.*` files under `dir` (recursively), except under `keep_dir` and, with
  // `only_dead_writers`, except those whose writer is alive; returns how many were removed.
  static Result<std::size_t> remove_temporaries(const std::filesystem::path& dir,
                                                bool only_dead_writers = false,
                                                const std::filesystem::path& keep_dir = {});

  // The SHA-256 of out/<relative> when its stamp says aotc wrote it and nobody changed it since.
  std::optional<std::string> stamped_sha256(const std::filesystem::path& relative) const;

  // Makes out/<relative> hold `bytes` (SHA-256 `sha256`): nothing is written when it already does.
  Status install(const std::filesystem::path& relative, std::span<const std::uint8_t> bytes,
                 const std::string& sha256);

  // The same for a finished file the compiler wrote to a `.tmp.*` sibling of out/<relative>
  // (temporary_sibling): it is renamed into place, the same atomic step write_file_atomic ends
  // with, without copying the data again.
  Status install_file(const std::filesystem::path& relative, const std::filesystem::path& temporary,
                      const std::string& sha256);

  // Adds files known only late in the build (generated launchers) to the plan, recording them in
  // out/.outputs before any of them is written.
  Status plan_more(const std::set<std::filesystem::path>& more);

  // After a successful build: writes manifest.json, removes files recorded in out/.outputs that
  // this build did not plan (and folders left empty), and records the planned files' stamps.
  Status finish(const std::string& manifest_text);

  const std::filesystem::path& dir() const { return out_dir_; }
  // Every file this build produces, relative to out/ (manifest.json aside).
  const std::set<std::filesystem::path>& planned() const { return planned_; }

 private:
  struct Stamp {
    std::uint64_t size = 0, inode = 0;
    std::int64_t mtime_ns = 0;
    std::string sha256;  // empty: listed, content unknown
  };
  // Before the first change: removes manifest.json and records planned files in out/.outputs.
  Status begin_changes();
  Status write_ledger(const std::map<std::filesystem::path, Stamp>& files) const;
  std::optional<Stamp> stat_file(const std::filesystem::path& relative) const;
  // True when out/<relative> already holds content `sha256` (by stamp, else by hashing it).
  bool holds(const std::filesystem::path& relative, std::uint64_t size,
             const std::string& sha256) const;
  Status stamp(const std::filesystem::path& relative, const std::string& sha256);

  std::filesystem::path out_dir_;
  std::set<std::filesystem::path> planned_;
  std::map<std::filesystem::path, Stamp> recorded_;  // out/.outputs as found, then as updated
  bool changing_ = false;
};

}  // namespace aotc
