// Occupancy on CDNA2/3/4 (gfx90a, gfx942, gfx950). Each term is the number of waves one SIMD can
// hold if only that resource counted; the estimate is their minimum.
//   VGPRs: arch VGPRs are rounded up to 4 (AGPRs start at accum_offset, a multiple of 4), AGPRs are
//     added, the total is rounded up to the allocation granule of 8, and the SIMD's 512 registers
//     per lane are divided by it (LLVM AMDGPU::IsaInfo::getNumWavesPerEUWithNumVGPRs,
//     getVGPRAllocGranule, AMDGPUUsage "accum_offset").
//   SGPRs: GFX8/GFX9 table from LLVM GCNSubtarget::getOccupancyWithNumSGPRs (<= 80: 10, <= 88: 9,
//     <= 100: 8, else 7), using the metadata's .sgpr_count (which includes VCC etc.).
//   LDS: workgroups per CU = LDS per CU / (group segment rounded up to 512 bytes); waves per SIMD =
//     workgroups * waves per workgroup / 4 SIMDs (CDNA3 ISA guide, "LDS"; gfx950 has 160 KiB).
//   Hardware: 8 waves per SIMD on CDNA.
#include "codeobj/occupancy.h"

#include <algorithm>

namespace aotc::codeobj {
namespace {

std::uint64_t round_up(std::uint64_t n, std::uint64_t granule) {
  return (n + granule - 1) / granule * granule;
}

int waves_for_sgprs(std::uint64_t sgprs) {
  if (sgprs <= 80) return 10;
  if (sgprs <= 88) return 9;
  if (sgprs <= 100) return 8;
  return 7;
}

}  // namespace

std::optional<OccupancyLimits> occupancy_limits_for(std::string_view processor) {
  OccupancyLimits limits;
  if (processor == "gfx90a" || processor == "gfx942" || processor == "gfx9-4-generic") {
    return limits;
  }
  if (processor == "gfx950") {
    limits.lds_bytes_per_cu = 160 * 1024;
    return limits;
  }
  return std::nullopt;
}

Occupancy estimate_occupancy(const AmdKernel& kernel, const OccupancyLimits& limits,
                             std::uint64_t workgroup_size) {
  Occupancy best{limits.max_waves_per_simd, "waves"};
  auto consider = [&](std::uint64_t waves, const char* resource) {
    int w = static_cast<int>(std::min<std::uint64_t>(waves, limits.max_waves_per_simd));
    if (w < best.waves_per_simd) best = {w, resource};
  };

  std::uint64_t vgprs =
      round_up(round_up(kernel.vgpr_count, 4) + kernel.agpr_count, limits.vgpr_granule);
  if (vgprs > 0) consider(limits.vgprs_per_simd_lane / vgprs, "vgpr");
  consider(waves_for_sgprs(kernel.sgpr_count), "sgpr");

  if (kernel.group_segment_size > 0) {
    std::uint64_t wg = workgroup_size ? workgroup_size : kernel.max_workgroup_size;
    std::uint64_t wave = kernel.wavefront_size ? kernel.wavefront_size : 64;
    std::uint64_t waves_per_group = std::max<std::uint64_t>(1, (wg + wave - 1) / wave);
    std::uint64_t groups_per_cu =
        limits.lds_bytes_per_cu / round_up(kernel.group_segment_size, limits.lds_granule);
    consider(groups_per_cu * waves_per_group / limits.simds_per_cu, "lds");
  }
  return best;
}

}  // namespace aotc::codeobj
