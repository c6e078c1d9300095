// What an AMDGPU code object says about itself: the target (from e_flags), the code-object
// version (from EI_ABIVERSION) and, per kernel, the argument layout and resource use recorded in
// the NT_AMDGPU_METADATA note. The launcher checks arguments against this, the runtime checks
// launches against it, and the manifest records it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codeobj/target_id.h"
#include "core/result.h"

namespace aotc::codeobj {

// Arguments the compiler adds after the kernel's own (.value_kind hidden_block_count_x,
// hidden_global_offset_x, ...): the one test for "hidden" wherever metadata is read, typed or
// from the manifest.
inline bool is_hidden_arg_kind(std::string_view kind) { return kind.starts_with("hidden_"); }

struct KernelArg {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::string kind;           // .value_kind: global_buffer, by_value, hidden_block_count_x, ...
  std::string address_space;  // .address_space (global, constant, local, ...); empty if absent
  std::string name;           // .name; empty if absent (clang omits it at -O3)
  bool hidden() const { return is_hidden_arg_kind(kind); }
};

struct AmdKernel {
  std::string name;
  std::string symbol;  // "<name>.kd", the kernel descriptor
  std::uint64_t kernarg_size = 0;
  std::uint64_t kernarg_align = 0;
  std::vector<KernelArg> args;             // explicit then hidden, in metadata order
  std::uint64_t group_segment_size = 0;    // static LDS bytes
  std::uint64_t private_segment_size = 0;  // scratch bytes per work-item
  std::uint64_t sgpr_count = 0;
  std::uint64_t vgpr_count = 0;
  std::uint64_t agpr_count = 0;
  std::uint64_t sgpr_spill_count = 0;
  std::uint64_t vgpr_spill_count = 0;
  std::uint64_t wavefront_size = 0;
  std::uint64_t max_workgroup_size = 0;  // .max_flat_workgroup_size
  bool uses_dynamic_stack = false;
};

struct AmdCodeObject {
  TargetId target_id;           // from e_flags: processor + xnack/sramecc when on or off
  int code_object_version = 0;  // 4, 5, 6 (from EI_ABIVERSION)
  std::uint32_t e_flags = 0;
  std::string metadata_target;  // amdhsa.target, e.g. "amdgcn-amd-amdhsa--gfx942"
  std::vector<AmdKernel> kernels;
};

// Processor name for an EF_AMDGPU_MACH value (e_flags & 0xff); nullopt when unknown.
std::optional<std::string> amdgpu_processor_for_mach(std::uint32_t mach);

// Target id encoded in e_flags for the given code-object version (features: v4+ layout).
Result<TargetId> target_id_from_e_flags(std::uint32_t e_flags, int code_object_version);

// Per-kernel fields from the decoded metadata map (amdhsa.kernels[...]). Errors name the JSON path.
Result<std::vector<AmdKernel>> kernels_from_metadata(const nlohmann::json& metadata);

// Reads a whole AMDGPU code object (ELF64, EM_AMDGPU, HSA OS ABI).
Result<AmdCodeObject> read_amdgpu_code_object(std::span<const std::uint8_t> bytes);

}  // namespace aotc::codeobj
