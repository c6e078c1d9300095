// out/.aotc_state: the build's state in one file (Ninja's .ninja_log/.ninja_deps idea), so that a
// rebuild with nothing to do reads one file and stats what it lists, and touches nothing else:
// no matrix parse, no toolchain probe, no cache record, no lock.
//
// The file holds a fingerprint of everything that decides the build besides files (the options,
// the environment variables aotc and the matrix read, the aotc executable itself) and a stamp
// (size, inode, mtime in ns) of every file that does: the matrix, each kernel source and every
// file its compiles read (the include closure from the depfiles, a Triton kernel's local
// modules), the toolchains' executables and identity files, and every output including
// manifest.json, and the directories searched for toolchains. A rebuild whose fingerprint and
// stamps all match is a no-op; any difference, a missing file, an unreadable or foreign state file,
// or out/.building (a build in progress or one that died) sends it through the full build, which
// then writes a new state.
//
// Correctness rests on the stamps: any rewrite of a file changes its inode or mtime. Stamps are
// taken when the build hashes a file, before and after reading it; a file changed while it was
// read, during the build, or less than a second before the build started (the file system's
// timestamps are coarser than its writes; git calls this "racily clean") gets no stamp, and a
// build that saw such a file writes no state, so the next one runs in full.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/status_printer.h"
#include "core/result.h"

namespace aotc {

struct FileStamp {
  std::uint64_t size = 0;
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// The stamp of `path` (following links: a retargeted link changes it); nullopt if it cannot be
// stat'ed or is neither a regular file nor a directory (whose mtime changes when an entry is
// added or removed: how a newly installed compiler on PATH is noticed).
std::optional<FileStamp> stamp_file(const std::filesystem::path& path);

// A stamp safe to trust later: nullopt when `after` (taken after reading the file) differs from
// `before` (taken before), or when the file was modified after `started_ns` (the build's start,
// ns since the epoch) or less than a second before it: its content may differ from what the
// build's compiles read.
std::optional<FileStamp> settled_stamp(const std::optional<FileStamp>& before,
                                       const std::optional<FileStamp>& after,
                                       std::int64_t started_ns);

// Now, in ns since the epoch (the clock file modification times use).
std::int64_t wall_clock_ns();

// What decides a build besides its files: name/value pairs (options, aotc's executable), plus the
// environment variables named in `variables`, read now.
struct BuildFingerprint {
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<std::string> variables;

  std::string digest() const;
};

struct StampedFile {
  std::filesystem::path path;  // absolute
  std::optional<FileStamp> stamp;
};

// The summary a no-op reports: the last build's counts, with everything cached.
struct StateCounts {
  std::size_t variants = 0, targets = 0, objects = 0;
};

// True when out/.aotc_state exists, its fingerprint equals `fingerprint`'s (whose `variables` are
// replaced by those the state names: the matrix may name one, and it is not read here) and every
// file it lists has its recorded stamp; `counts` is then filled.
bool build_is_up_to_date(const std::filesystem::path& out_dir, BuildFingerprint fingerprint,
                         StateCounts& counts);

// Writes out/.aotc_state (atomically). When a file has no stamp (see settled_stamp) or a path
// cannot be written in the format (a newline in it), no state is kept and the next build runs in
// full.
Status write_build_state(const std::filesystem::path& out_dir, const BuildFingerprint& fingerprint,
                         const StateCounts& counts, const std::vector<StampedFile>& files);

// Removes out/.aotc_state: called before a build changes anything in out/.
void forget_build_state(const std::filesystem::path& out_dir);

}  // namespace aotc
