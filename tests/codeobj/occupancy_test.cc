// Occupancy on CDNA: expected values worked out by hand from the formula in
// docs/CODE_OBJECTS.md ("Occupancy"), one limiting resource per case.
#include "codeobj/occupancy.h"

#include <catch2/catch.hpp>

using namespace aotc::codeobj;

namespace {
AmdKernel kernel(std::uint64_t vgpr, std::uint64_t agpr, std::uint64_t sgpr, std::uint64_t lds,
                 std::uint64_t max_wg = 256) {
  AmdKernel k;
  k.vgpr_count = vgpr;
  k.agpr_count = agpr;
  k.sgpr_count = sgpr;
  k.group_segment_size = lds;
  k.max_workgroup_size = max_wg;
  k.wavefront_size = 64;
  return k;
}
}  // namespace

TEST_CASE("waves per SIMD and the limiting resource on gfx942 and gfx950") {
  auto gfx942 = *occupancy_limits_for("gfx942");
  auto gfx950 = *occupancy_limits_for("gfx950");
  CHECK_FALSE(occupancy_limits_for("gfx1100").has_value());

  auto o = estimate_occupancy(kernel(32, 0, 32, 0), gfx942);
  CHECK(o.waves_per_simd == 8);
  CHECK(o.limited_by == "waves");
  // 128 VGPRs: 512 / 128 = 4.
  o = estimate_occupancy(kernel(128, 0, 32, 0), gfx942);
  CHECK(o.waves_per_simd == 4);
  CHECK(o.limited_by == "vgpr");
  // 61 VGPRs -> 64, plus 64 AGPRs = 128 -> 4; 65 VGPRs -> 68 + 60 = 128 -> 4; +1 AGPR -> 136 -> 3.
  CHECK(estimate_occupancy(kernel(61, 64, 32, 0), gfx942).waves_per_simd == 4);
  CHECK(estimate_occupancy(kernel(65, 60, 32, 0), gfx942).waves_per_simd == 4);
  CHECK(estimate_occupancy(kernel(65, 61, 32, 0), gfx942).waves_per_simd == 3);
  // 102 SGPRs: 7 waves.
  o = estimate_occupancy(kernel(16, 0, 102, 0), gfx942);
  CHECK(o.waves_per_simd == 7);
  CHECK(o.limited_by == "sgpr");
  // 32 KiB of LDS, 256-thread groups (4 waves): 2 groups per CU = 8 waves over 4 SIMDs = 2.
  o = estimate_occupancy(kernel(16, 0, 32, 32 * 1024), gfx942);
  CHECK(o.waves_per_simd == 2);
  CHECK(o.limited_by == "lds");
  // gfx950 has 160 KiB: 5 groups = 20 waves / 4 = 5.
  CHECK(estimate_occupancy(kernel(16, 0, 32, 32 * 1024), gfx950).waves_per_simd == 5);
  // A 1024-thread launch of the same kernel: 16 waves per group, 2 groups -> 8.
  CHECK(estimate_occupancy(kernel(16, 0, 32, 32 * 1024), gfx942, 1024).waves_per_simd == 8);
  // LDS is allocated in 512-byte granules: 16385 bytes count as 16896 -> 3 groups.
  CHECK(estimate_occupancy(kernel(16, 0, 32, 16385), gfx942).waves_per_simd == 3);
}
