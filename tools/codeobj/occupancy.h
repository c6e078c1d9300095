// Occupancy estimate for AMD CDNA kernels: how many waves of a kernel fit on one SIMD at once,
// given its register and LDS use, and which resource is the limit. The formula and its sources
// are in docs/CODE_OBJECTS.md ("Occupancy").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codeobj/amdgpu_metadata.h"

namespace aotc::codeobj {

// Per-target limits that enter the formula.
struct OccupancyLimits {
  int max_waves_per_simd = 8;
  int simds_per_cu = 4;
  int vgprs_per_simd_lane = 512;  // unified file: arch VGPRs + AGPRs
  int vgpr_granule = 8;
  std::uint64_t lds_bytes_per_cu = 64 * 1024;
  std::uint64_t lds_granule = 512;  // LDS_SIZE granularity: 128 dwords on GFX7-GFX11
};

struct Occupancy {
  int waves_per_simd = 0;
  std::string limited_by;  // "vgpr", "sgpr", "lds", or "waves" (the hardware maximum)
  bool operator==(const Occupancy&) const = default;
};

// Limits for gfx90a, gfx942, gfx950 and gfx9-4-generic; nullopt for targets we have no model for.
std::optional<OccupancyLimits> occupancy_limits_for(std::string_view processor);

// Waves per SIMD for `kernel` launched with `workgroup_size` work-items (0 = the kernel's
// max_workgroup_size, the largest it may be launched with).
Occupancy estimate_occupancy(const AmdKernel& kernel, const OccupancyLimits& limits,
                             std::uint64_t workgroup_size = 0);

}  // namespace aotc::codeobj
