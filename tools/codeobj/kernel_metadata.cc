#include "codeobj/kernel_metadata.h"

#include <algorithm>

#include "codeobj/byte_reader.h"
#include "codeobj/concat.h"
#include "codeobj/elf_reader.h"
#include "codeobj/offload_bundle.h"

namespace aotc::codeobj {
namespace {

// CUDA's per-block thread limit on every architecture since sm_20; reported when a kernel
// declares no bound of its own.
constexpr std::uint32_t kCudaMaxThreadsPerBlock = 1024;

std::uint64_t cuda_max_threads(std::uint32_t declared) {
  return declared ? declared : kCudaMaxThreadsPerBlock;
}

}  // namespace

std::string_view format_name(CodeObjectFormat format) {
  switch (format) {
    case CodeObjectFormat::hsaco:
      return "hsaco";
    case CodeObjectFormat::cubin:
      return "cubin";
    case CodeObjectFormat::ptx:
      return "ptx";
  }
  return "?";
}

std::optional<CodeObjectFormat> format_from_name(std::string_view name) {
  for (auto format : {CodeObjectFormat::hsaco, CodeObjectFormat::cubin, CodeObjectFormat::ptx}) {
    if (format_name(format) == name) return format;
  }
  return std::nullopt;
}

const KernelInfo* KernelMetadata::find_kernel(std::string_view name) const {
  auto it = std::find_if(kernels.begin(), kernels.end(),
                         [&](const KernelInfo& k) { return k.name == name; });
  return it == kernels.end() ? nullptr : &*it;
}

std::optional<std::string> detect_code_object_format(std::span<const std::uint8_t> bytes) {
  if (looks_like_offload_bundle(bytes)) return "bundle";
  if (bytes.size() >= 20 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' &&
      bytes[3] == 'F') {
    auto machine = read_le<std::uint16_t>(bytes, 18);
    if (machine == kEmAmdgpu) return "hsaco";
    if (machine == kEmCuda) return "cubin";
    return std::nullopt;
  }
  auto text = as_chars(bytes.first(std::min<std::size_t>(bytes.size(), 1 << 16)));
  if (text.find(".version") != std::string_view::npos &&
      text.find(".target") != std::string_view::npos) {
    return "ptx";
  }
  return std::nullopt;
}

KernelMetadata amd_kernel_metadata(const AmdCodeObject& object) {
  KernelMetadata md;
  md.format = CodeObjectFormat::hsaco;
  md.target_id = object.target_id.to_string();
  md.code_object_version = object.code_object_version;
  auto limits = occupancy_limits_for(object.target_id.processor);
  for (const AmdKernel& k : object.kernels) {
    KernelInfo kernel;
    kernel.name = k.name;
    kernel.symbol = k.symbol;
    for (const KernelArg& a : k.args) {
      kernel.args.push_back({.offset = a.offset,
                             .size = a.size,
                             .kind = a.kind,
                             .address_space = a.address_space,
                             .name = a.name});
    }
    kernel.arg_bytes = k.kernarg_size;
    kernel.arg_align = k.kernarg_align;
    kernel.max_threads = k.max_workgroup_size;
    kernel.resources = {.shared_bytes = k.group_segment_size,
                        .scratch_bytes = k.private_segment_size,
                        .sgpr_count = k.sgpr_count,
                        .vgpr_count = k.vgpr_count,
                        .agpr_count = k.agpr_count,
                        .sgpr_spill_count = k.sgpr_spill_count,
                        .vgpr_spill_count = k.vgpr_spill_count,
                        .wavefront_size = k.wavefront_size,
                        .uses_dynamic_stack = k.uses_dynamic_stack};
    if (limits) kernel.occupancy = estimate_occupancy(k, *limits);
    md.kernels.push_back(std::move(kernel));
  }
  return md;
}

KernelMetadata cubin_kernel_metadata(const CubinInfo& cubin, std::string_view built_target) {
  KernelMetadata md;
  md.format = CodeObjectFormat::cubin;
  md.target_id = built_target.empty() ? cubin.arch : std::string(built_target);
  if (built_target.empty() && cubin.arch_suffix_unknown) {
    md.target_id_note = concat("the cubin's ELF header records ", cubin.arch, " for ", cubin.arch,
                               " and ", cubin.arch, "a alike; the build that made it knows which");
  }
  for (const NvKernel& k : cubin.kernels) {
    KernelInfo kernel;
    kernel.name = k.name;
    for (const NvParam& p : k.params) kernel.args.push_back({.offset = p.offset, .size = p.size});
    kernel.arg_bytes = k.param_bytes;
    kernel.max_threads = cuda_max_threads(k.max_threads);
    kernel.resources = {.shared_bytes = k.shared_bytes,
                        .scratch_bytes = k.local_bytes,
                        .registers = k.registers,
                        .max_stack_bytes = k.max_stack_bytes};
    md.kernels.push_back(std::move(kernel));
  }
  return md;
}

KernelMetadata ptx_kernel_metadata(const PtxModule& module) {
  KernelMetadata md;
  md.format = CodeObjectFormat::ptx;
  md.target_id = module.target;
  md.ptx_version = module.version;
  for (const PtxEntry& e : module.entries) {
    KernelInfo kernel;
    kernel.name = e.name;
    for (const PtxParam& p : e.params) {
      kernel.args.push_back(
          {.offset = p.offset, .size = p.size, .name = p.name, .type = p.type, .align = p.align});
    }
    kernel.arg_bytes = e.param_bytes;
    kernel.max_threads = cuda_max_threads(e.max_threads);
    kernel.waits_for_prior_grid = e.waits_for_prior_grid;
    md.kernels.push_back(std::move(kernel));
  }
  return md;
}

Result<KernelMetadata> read_kernel_metadata(std::span<const std::uint8_t> bytes,
                                            std::string_view format,
                                            std::string_view built_target) {
  if (format == "hsaco") {
    auto object = read_amdgpu_code_object(bytes);
    if (!object) return object.error();
    return amd_kernel_metadata(*object);
  }
  if (format == "cubin") {
    auto cubin = read_cubin(bytes);
    if (!cubin) return cubin.error();
    // sm_90a is sm_90 in e_flags: the number must agree, the suffix comes from the build.
    const bool agrees =
        built_target.empty() || built_target == cubin->arch ||
        (cubin->arch_suffix_unknown && built_target.size() == cubin->arch.size() + 1 &&
         built_target.starts_with(cubin->arch));
    if (!agrees) {
      return make_error(concat("cubin: its ELF header says ", cubin->arch,
                               ", but it was built for ", built_target));
    }
    return cubin_kernel_metadata(*cubin, built_target);
  }
  if (format == "ptx") {
    auto module = read_ptx(as_chars(bytes));
    if (!module) return module.error();
    if (!built_target.empty() && module->target != built_target) {
      return make_error(
          concat("PTX: its .target is ", module->target, ", but it was built for ", built_target));
    }
    return ptx_kernel_metadata(*module);
  }
  return make_error(
      concat("unknown code-object format \"", format, "\" (expected hsaco, cubin or ptx)"));
}

}  // namespace aotc::codeobj
