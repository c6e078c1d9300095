// How long each object took to compile in earlier builds, kept beside the cache so that the next
// build can start the slowest compiles first: a compile that starts last and runs 15 s is the
// build's tail however many slots sit idle (seen with aiter's Gluon reduce kernels on the H200).
//
// Format: <cache>/compile_seconds.tsv, one line per object, `<seconds>\t<target>\t<object name>`,
// written atomically after every build that compiled something, merged with the lines of the
// objects it did not compile (so a build of some targets or variants keeps the others' history).
// It is a hint, like a cache entry: a missing, oversized or partly garbled file gives no history
// for the lines that do not read, never an error.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/result.h"

namespace aotc {

class CompileCosts {
 public:
  // The history in `cache_dir` (empty when there is none).
  static CompileCosts load(const std::filesystem::path& cache_dir);

  // Seconds the object took the last time it was compiled, if known.
  std::optional<double> seconds(const std::string& target, const std::string& object) const;
  void record(const std::string& target, const std::string& object, double seconds);

  // Writes the history back (atomically); an error names the file.
  Status save() const;

 private:
  std::filesystem::path file_;
  std::map<std::pair<std::string, std::string>, double> seconds_;  // (target, object) -> seconds
};

}  // namespace aotc
