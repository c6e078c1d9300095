// Compiles the pa_decode kernel for an AMD target with the real clang-22 and reads the result
// back with llvm-readelf-22 / llvm-objdump-22: resource use from the metadata note and which
// instructions the code uses. Shared by the fast subset test and the slow whole-matrix test.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc::pa_test {

struct AmdObjectReport {
  int max_vgpr_spills = 0;  // over the object's kernels
  int max_sgpr_spills = 0;
  int max_private_bytes = 0;  // scratch per lane
  int max_vgprs = 0;
  int max_lds_bytes = 0;
  bool has_dwordx4_loads = false;
  bool has_mfma = false;
};

// The LLVM tool `name` (clang-22, llvm-readelf-22, ...) if found on PATH or in
// /usr/lib/llvm-22/bin.
std::string find_llvm_tool(const std::string& name);

// Compiles kernels/pa_decode/pa_decode.hip with `defines` ("NAME=VALUE") for `target` into
// `out_dir` and reports on the code object. Errors carry clang's diagnostics.
Result<AmdObjectReport> compile_pa_decode_amd(const std::vector<std::string>& defines,
                                              const std::string& target,
                                              const std::filesystem::path& out_dir,
                                              const std::string& name);

// The defines of every variant of the default build-matrix.json, with the variants' names.
struct MatrixVariant {
  std::string name;
  std::vector<std::string> defines;
  std::vector<std::string> targets;
};
Result<std::vector<MatrixVariant>> default_matrix_variants();

}  // namespace aotc::pa_test
