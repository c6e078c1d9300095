// The AMD code objects of the default matrix compile with clang-22 (a representative subset
// here; amd_matrix_compile_slow.cc compiles all of them, label "slow"), with 16-byte global
// loads, MFMA on the matrix path, none on the forced generic path, and no scratch (VGPR spills
// or private segment; SGPR spills go to VGPR lanes and are allowed, see the slow test).
#include "amd_compile.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "tool_skip.h"

using namespace aotc::pa_test;

namespace {

bool tools_present() {
  if (!find_llvm_tool("clang-22").empty() && !find_llvm_tool("llvm-readelf-22").empty())
    return true;
  aotc::test::missing_tool("clang-22 / llvm-readelf-22 (AMD compile test)");
  return false;
}

}  // namespace

TEST_CASE("AMD code objects of a representative subset of the default matrix compile cleanly") {
  if (!tools_present()) return;
  auto variants = default_matrix_variants();
  REQUIRE(variants.ok());
  // One per KV dtype, covering both block sizes, GQA groups and the query lengths' extremes.
  const std::vector<std::string> subset{"pa_decode.kv-bf16.bs16.q1.h64x8.d128",
                                        "pa_decode.kv-fp16.bs64.q3.h64x4.d128",
                                        "pa_decode.kv-fp8.bs64.q4.h64x4.d128"};
  const std::filesystem::path out =
      std::filesystem::path(AOTC_BINARY_DIR) / "tests" / "kernels" / "amd_objects";
  int compiled = 0;
  for (const MatrixVariant& v : *variants) {
    if (std::find(subset.begin(), subset.end(), v.name) == subset.end()) continue;
    for (const std::string& target : {std::string("gfx942"), std::string("gfx950")}) {
      REQUIRE(std::find(v.targets.begin(), v.targets.end(), target) != v.targets.end());
      auto r = compile_pa_decode_amd(v.defines, target, out, v.name);
      INFO(v.name << " [" << target << "]");
      REQUIRE(r.ok());
      CHECK(r->has_dwordx4_loads);
      CHECK(r->has_mfma);
      CHECK(r->max_vgpr_spills == 0);
      CHECK(r->max_private_bytes == 0);
      ++compiled;
    }
  }
  CHECK(compiled == 6);
}

TEST_CASE(
    "the forced generic path compiles for gfx90a, gfx942 and gfx950 without matrix instructions") {
  if (!tools_present()) return;
  const std::vector<std::string> defines{
      "PA_KV_DTYPE=PA_DTYPE_FP8", "PA_BLOCK_SIZE=16", "PA_QUERY_LEN=2",    "PA_NUM_Q_HEADS=64",
      "PA_NUM_KV_HEADS=8",        "PA_HEAD_DIM=128",  "PA_FORCE_GENERIC=1"};
  const std::filesystem::path out =
      std::filesystem::path(AOTC_BINARY_DIR) / "tests" / "kernels" / "amd_objects";
  for (const std::string& target :
       {std::string("gfx90a"), std::string("gfx942"), std::string("gfx950")}) {
    auto r = compile_pa_decode_amd(defines, target, out, "generic.kv-fp8.bs16.q2.h64x8.d128");
    INFO(target);
    REQUIRE(r.ok());
    CHECK(r->has_dwordx4_loads);
    CHECK_FALSE(r->has_mfma);
    CHECK(r->max_vgpr_spills == 0);
    CHECK(r->max_private_bytes == 0);
  }
}
