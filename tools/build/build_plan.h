// What a build will produce: one PlannedObject per variant and target, with its flags, its cache
// key and its output files. Planning spawns nothing but the toolchain probes and checks every
// target before a single compile starts, reporting all problems at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/build_cache.h"
#include "build/target_support.h"
#include "build/toolchain_discovery.h"
#include "matrix/matrix.h"

namespace aotc {

struct Toolchains {
  Toolchain clang;
  std::optional<Toolchain> ptxas;  // absent: NVIDIA targets get PTX only
};

struct PlannedObject {
  std::size_t variant = 0;  // index into the expanded variants
  std::string target;
  Vendor vendor = Vendor::amd;
  std::vector<std::string> flags;        // clang flags
  std::vector<std::string> ptxas_flags;  // empty unless ptxas makes a cubin
  std::string key;                       // cache key
  std::vector<std::string> kinds;        // outputs, in production order: hsaco | ptx [cubin]

  // out/-relative path of one output: <target>/<variant>.<kind>
  std::filesystem::path file(const std::string& variant_name, const std::string& kind) const;
};

// The targets the build covers, in matrix order: every variant's targets, narrowed to `subset`
// when given (a subset target that no variant has is an error).
Result<std::vector<std::string>> select_targets(const Matrix& matrix,
                                                const std::vector<Variant>& variants,
                                                const std::vector<std::string>& subset);

// Checks each target against the compiler (all problems in one error) and plans every object.
Result<std::vector<PlannedObject>> plan_objects(const Matrix& matrix,
                                                const std::vector<Variant>& variants,
                                                const std::vector<std::string>& targets,
                                                const Toolchains& tools,
                                                const TargetSupport& support, FileHashes& hashes);

}  // namespace aotc
