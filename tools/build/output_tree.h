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
// The caller holds the output lock (output_lock.h) throughout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <span>
#include <string>

#include "core/result.h"

namespace aotc {

class OutputTree {
 public:
  // `planned`: every file (relative to out_dir) this build will produce.
  OutputTree(std::filesystem::path out_dir, std::set<std::filesystem::path> planned);

  // Removes `.tmp.*` files under `dir` (recursively); returns how many.
  static Result<std::size_t> remove_temporaries(const std::filesystem::path& dir);

  // Makes out/<relative> hold `bytes` (SHA-256 `sha256`): nothing is written when it already does.
  Status install(const std::filesystem::path& relative, std::span<const std::uint8_t> bytes,
                 const std::string& sha256);

  // After a successful build: writes manifest.json, removes files recorded in out/.outputs that
  // this build did not plan (and folders left empty), and records the planned set.
  Status finish(const std::string& manifest_text);

  const std::filesystem::path& dir() const { return out_dir_; }

 private:
  // Before the first change: removes manifest.json and records planned files in out/.outputs.
  Status begin_changes();
  std::set<std::filesystem::path> recorded_outputs() const;
  Status record_outputs(const std::set<std::filesystem::path>& files) const;

  std::filesystem::path out_dir_;
  std::set<std::filesystem::path> planned_;
  bool changing_ = false;
};

}  // namespace aotc
