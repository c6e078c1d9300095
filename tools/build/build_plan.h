// What a build will produce: one PlannedObject per variant and target, with its flags, its cache
// key and its output files. Planning spawns nothing but the toolchain probes and checks every
// target before a single compile starts, reporting all problems at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/build_cache.h"
#include "build/python_discovery.h"
#include "build/target_support.h"
#include "build/toolchain_discovery.h"
#include "build/triton_compile.h"
#include "matrix/matrix.h"

namespace aotc {

struct Toolchains {
  Toolchain clang;                      // found only when a HIP-language kernel is built
  std::optional<Toolchain> ptxas;       // absent: NVIDIA targets of HIP kernels get PTX only
  std::optional<TritonInstall> triton;  // found only when a Triton kernel is built
};

// Which toolchains the planned build needs: clang for HIP-language kernels, ptxas when they have
// NVIDIA targets, Python with Triton for Triton kernels.
struct ToolNeeds {
  std::vector<std::string> clang_targets;  // targets of HIP-language variants, in build order
  bool nvidia_clang = false;
  bool triton = false;
};
ToolNeeds tool_needs(const Matrix& matrix, const std::vector<Variant>& variants,
                     const std::vector<std::string>& targets);

struct PlannedObject {
  std::size_t variant = 0;  // index into the expanded variants
  std::string target;
  Vendor vendor = Vendor::amd;
  std::vector<std::string> flags;        // clang flags
  std::vector<std::string> ptxas_flags;  // empty unless ptxas makes a cubin
  std::string key;                       // cache key
  // Outputs, in production order, the code object last: hsaco | ptx [cubin]; Triton objects
  // start with "triton.json" (Triton's own metadata, kept for reference; not "json", which would
  // collide with the cache's record file).
  std::vector<std::string> kinds;
  // Triton kernels compile each entry into its own code object; clang objects hold every entry.
  std::optional<TritonCompile> triton;
  std::string entry;  // the entry of a Triton object; empty for clang objects

  // The object's name: the variant's, plus ".<entry>" for a Triton object.
  std::string stem(const std::string& variant_name) const;
  // out/-relative path of one output: <target>/<stem>.<kind>
  std::filesystem::path file(const std::string& variant_name, const std::string& kind) const;
};

// `path` relative to `root` when inside it, else as given: how manifests and cache keys name
// files, the same for every checkout.
std::string root_relative(const std::filesystem::path& path, const std::filesystem::path& root);

// The targets the build covers, in matrix order: every variant's targets, narrowed to `subset`
// when given (a subset target that no variant has is an error).
Result<std::vector<std::string>> select_targets(const Matrix& matrix,
                                                const std::vector<Variant>& variants,
                                                const std::vector<std::string>& subset);

// Checks each target against the toolchain that builds it (all problems in one error), resolves
// every Triton signature, and plans every object.
Result<std::vector<PlannedObject>> plan_objects(const Matrix& matrix,
                                                const std::vector<Variant>& variants,
                                                const std::vector<std::string>& targets,
                                                const Toolchains& tools,
                                                const TargetSupport& support, FileHashes& hashes);

}  // namespace aotc
