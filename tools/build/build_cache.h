// The content-addressed compile cache (ccache's ideas: tagged hashing, compiler identity in the
// key, "depend mode").
//
// Key = tagged SHA-256 of: the cache format version, the kernel source's content, the full flag
// list, the compiler identity (path and version), the ptxas identity and flags (NVIDIA cubins), and
// the target. Headers are not in the key because they are only known after a compile: the entry
// records every file the compiler's dependency file named, with its SHA-256, and a lookup is a hit
// only if each of them still hashes the same. Touching a header therefore misses exactly the
// entries whose compiles included it.
//
// Layout under the cache directory: objects/<key[0:2]>/<key>.json (the record: dependencies and
// each output's size and SHA-256) and objects/<key[0:2]>/<key>.<kind> (the outputs). Every file is
// written atomically, outputs before the record, so an interrupted store leaves no entry. A lookup
// re-hashes each stored output it reads and rejects one that does not verify: it is rebuilt,
// never used.
//
// Nothing in a key or a record depends on where the checkout or out/ lives, so entries move
// between checkouts, machines and the remote cache (remote_cache.h): keys take the flags and the
// source's path relative to the matrix's source root, and records name the dependencies inside
// that root relative to it (those outside, absolute).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "build/build_state.h"
#include "build/python_discovery.h"
#include "build/remote_cache.h"
#include "build/toolchain_discovery.h"
#include "core/result.h"

namespace aotc {

// SHA-256 of files, memoized for one build (each header is hashed once however many variants
// include it), each with the stamp it had while read (build_state.h). Not thread-safe.
class FileHashes {
 public:
  FileHashes() : started_ns_(wall_clock_ns()) {}

  Result<std::string> sha256_of(const std::filesystem::path& path);
  // Every file hashed so far, by absolute path; no stamp if it changed during or just before
  // the build (settled_stamp).
  std::vector<StampedFile> stamped_files() const;
  std::int64_t started_ns() const { return started_ns_; }

 private:
  struct Known {
    std::string sha256;
    std::optional<FileStamp> stamp;
  };
  std::map<std::filesystem::path, Known> known_;
  std::int64_t started_ns_;
};

struct CacheKeyInputs {
  std::string source_sha256;
  std::string source_path;         // relative to the source root: includes resolve from it
  std::vector<std::string> flags;  // clang flags (compile_flags), as portable_flags writes them
  const Toolchain* clang = nullptr;
  const Toolchain* ptxas = nullptr;  // set only when the job runs ptxas
  std::vector<std::string> ptxas_flags;
  std::string target;
};
std::string cache_key(const CacheKeyInputs& inputs);

// A Triton object's key: the kernel file's content (the local modules it imports are the entry's
// dependencies, checked in depend mode like headers), the entry, its resolved signature and
// options, the target, the Python and Triton (version and install path), aotc's helper script,
// and what decides imports: the matrix's python path and stubs and $PYTHONPATH.
struct TritonKeyInputs {
  std::string source_sha256;
  std::string source_path;  // relative to the source root, like the import roots
  std::string entry;
  std::vector<std::string> signature;
  std::string options;  // JSON
  std::string target;
  const TritonInstall* triton = nullptr;
  std::vector<std::string> python_path;  // relative to the source root when inside it
  std::vector<std::string> stubs;
};
std::string triton_cache_key(const TritonKeyInputs& inputs);

struct CachedFile {
  std::string kind;                 // "hsaco", "ptx", "cubin" or "triton.json": the file extension
  std::vector<std::uint8_t> bytes;  // empty until read (see BuildCache::read_output)
  std::string sha256;
  std::uint64_t size = 0;
};

struct CacheEntry {
  std::string key;
  std::vector<std::pair<std::filesystem::path, std::string>> dependencies;  // path, SHA-256
  std::vector<CachedFile> outputs;
};

class BuildCache {
 public:
  // `root`: the matrix's source root, against which records name dependencies. `remote`, when
  // given, is asked on every local miss and receives every stored entry.
  explicit BuildCache(std::filesystem::path dir, std::filesystem::path root = {},
                      RemoteCache* remote = nullptr);

  // The entry under `key` if it exists and each dependency still has its recorded hash; nullopt
  // otherwise (a miss: the caller compiles and stores). Outputs come back with kind and SHA-256
  // but no bytes: a caller whose out/ copy already matches never needs them.
  std::optional<CacheEntry> lookup(const std::string& key, FileHashes& hashes) const;

  // Reads one output of an entry into `file.bytes`; an error when it is missing or its SHA-256
  // differs from the record (treat as a miss).
  Status read_output(const std::string& key, CachedFile& file) const;

  // Stores an entry (outputs first, then the record), replacing any previous one under its key,
  // and uploads it to the remote cache (entry.outputs must then hold their bytes).
  // With `compiled_files` (compiled_files[i] holds entry.outputs[i]), each output is hard-linked
  // from there instead of copied: no data is written twice. aotc never edits a file in place
  // (every write is a new file renamed over the old), so the link cannot change underneath the
  // cache; and if anything else edits it, the lookup's SHA-256 check rejects the entry.
  Status store(const CacheEntry& entry,
               std::span<const std::filesystem::path> compiled_files = {}) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path record_path(const std::string& key) const;
  std::filesystem::path output_path(const std::string& key, const std::string& kind) const;
  std::string record_text(const CacheEntry& entry) const;
  std::optional<CacheEntry> parse_record(const std::string& key, const std::string& text) const;
  bool dependencies_match(const CacheEntry& entry, FileHashes& hashes) const;
  Status store_local(const CacheEntry& entry, std::span<const std::filesystem::path> compiled_files,
                     const std::string& record) const;
  std::optional<CacheEntry> lookup_remote(const std::string& key, FileHashes& hashes) const;

  std::filesystem::path dir_;
  std::filesystem::path root_;
  RemoteCache* remote_;
};

}  // namespace aotc
