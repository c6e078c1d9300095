// What one code object says about its kernels, typed, in one shape for AMD code objects, cubins
// and PTX: per kernel its arguments (AMD's value kinds, hidden ones included), argument buffer,
// resource use and occupancy. The build keeps it in its object records and the launcher generator
// reads it from there; JSON is only its written form (kernel_metadata_json.h: the manifest and
// `aotc inspect --json`).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/occupancy.h"
#include "codeobj/ptx_entries.h"
#include "core/result.h"

namespace aotc::codeobj {

enum class CodeObjectFormat { hsaco, cubin, ptx };

// "hsaco", "cubin", "ptx": the manifest's and the output files' spelling.
std::string_view format_name(CodeObjectFormat format);
std::optional<CodeObjectFormat> format_from_name(std::string_view name);

struct ArgMetadata {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  // AMD's .value_kind (global_buffer, by_value, hidden_block_count_x, ...) as the metadata spells
  // it: LLVM adds hidden kinds over releases, and the manifest records them verbatim. Empty for
  // NVIDIA objects, whose arguments are all the kernel's own.
  std::string kind{};
  std::string address_space{};  // AMD .address_space; empty if absent
  std::string name{};           // AMD .name when recorded (clang omits it at -O3); PTX always
  std::string type{};           // PTX .param type (".u64", ".b8", ...); empty elsewhere
  std::uint64_t align = 0;      // PTX .align; 0 elsewhere
  // Added by the compiler after the kernel's own arguments: the launcher does not pass it.
  bool hidden() const { return is_hidden_arg_kind(kind); }
  bool operator==(const ArgMetadata&) const = default;
};

// Resource use per kernel; each field names the formats that record it (0 elsewhere).
// Every member has a default, so designated initializers name only what a format records.
struct KernelResources {
  std::uint64_t shared_bytes = 0;   // static shared memory: hsaco group_segment_size, cubin
  std::uint64_t scratch_bytes = 0;  // per work-item: hsaco private_segment_size, cubin local_bytes
  std::uint64_t registers = 0;      // cubin, per thread
  std::uint64_t max_stack_bytes = 0;  // cubin
  std::uint64_t sgpr_count = 0;       // hsaco, and the four below
  std::uint64_t vgpr_count = 0;
  std::uint64_t agpr_count = 0;
  std::uint64_t sgpr_spill_count = 0;
  std::uint64_t vgpr_spill_count = 0;
  std::uint64_t wavefront_size = 0;  // hsaco
  bool uses_dynamic_stack = false;   // hsaco
  bool operator==(const KernelResources&) const = default;
};

struct KernelInfo {
  std::string name{};
  std::string symbol{};             // hsaco: "<name>.kd", the kernel descriptor
  std::vector<ArgMetadata> args{};  // the kernel's own, then hidden ones, in metadata order
  std::uint64_t arg_bytes = 0;      // hsaco kernarg_size; cubin and PTX param_bytes
  std::uint64_t arg_align = 0;      // hsaco kernarg_align
  std::uint64_t max_threads = 0;    // per block: hsaco max_workgroup_size; NVIDIA 1024 when unset
  KernelResources resources{};      // hsaco and cubin (PTX records none)
  std::optional<Occupancy> occupancy{};  // hsaco, on targets with an occupancy model
  // NVIDIA, where PTX was read (a PTX object, or a cubin's companion PTX when a launch rule asks
  // for "overlap_previous"): PtxEntry::waits_for_prior_grid. Unknown otherwise.
  std::optional<bool> waits_for_prior_grid{};
  bool operator==(const KernelInfo&) const = default;
};

struct KernelMetadata {
  CodeObjectFormat format = CodeObjectFormat::hsaco;
  std::string target_id{};
  // A cubin read without the target it was built for: why target_id may lack its "a" suffix.
  std::string target_id_note{};
  int code_object_version = 0;  // hsaco
  std::string ptx_version{};    // PTX .version
  std::vector<KernelInfo> kernels{};

  // The kernel named `name`, or nullptr.
  const KernelInfo* find_kernel(std::string_view name) const;
  bool operator==(const KernelMetadata&) const = default;
};

// "hsaco", "cubin", "ptx" or "bundle" from the first bytes; nullopt when none fits.
std::optional<std::string> detect_code_object_format(std::span<const std::uint8_t> bytes);

KernelMetadata amd_kernel_metadata(const AmdCodeObject& object);
// target_id is `built_target` when given (checked by the caller against cubin.arch), else the
// ELF's SM number, then with target_id_note saying when that cannot tell sm_90 from sm_90a.
KernelMetadata cubin_kernel_metadata(const CubinInfo& cubin, std::string_view built_target = {});
KernelMetadata ptx_kernel_metadata(const PtxModule& module);

// Reads `bytes` as `format` ("hsaco", "cubin" or "ptx"). `built_target` is the target the object
// was built for, when known (the build knows it): a cubin's target then comes from it, as its ELF
// cannot tell sm_90 from sm_90a; an object whose own header names another target is an error.
Result<KernelMetadata> read_kernel_metadata(std::span<const std::uint8_t> bytes,
                                            std::string_view format,
                                            std::string_view built_target = {});

}  // namespace aotc::codeobj
