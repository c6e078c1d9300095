#include "codeobj/code_object_metadata.h"

#include "codeobj/byte_reader.h"
#include "codeobj/concat.h"
#include "codeobj/elf_reader.h"
#include "codeobj/occupancy.h"
#include "codeobj/offload_bundle.h"

namespace aotc::codeobj {
namespace {

// CUDA's per-block thread limit on every architecture since sm_20; reported when a kernel
// declares no bound of its own.
constexpr std::uint32_t kCudaMaxThreadsPerBlock = 1024;

}  // namespace

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

nlohmann::json amd_metadata_json(const AmdCodeObject& object) {
  nlohmann::json kernels = nlohmann::json::array();
  auto limits = occupancy_limits_for(object.target_id.processor);
  for (const AmdKernel& k : object.kernels) {
    nlohmann::json args = nlohmann::json::array();
    for (const KernelArg& a : k.args) {
      nlohmann::json arg = {{"offset", a.offset}, {"size", a.size}, {"kind", a.kind}};
      if (!a.address_space.empty()) arg["address_space"] = a.address_space;
      if (!a.name.empty()) arg["name"] = a.name;
      args.push_back(std::move(arg));
    }
    nlohmann::json kernel = {
        {"name", k.name},
        {"symbol", k.symbol},
        {"kernarg_size", k.kernarg_size},
        {"kernarg_align", k.kernarg_align},
        {"args", std::move(args)},
        {"group_segment_size", k.group_segment_size},
        {"private_segment_size", k.private_segment_size},
        {"sgpr_count", k.sgpr_count},
        {"vgpr_count", k.vgpr_count},
        {"agpr_count", k.agpr_count},
        {"sgpr_spill_count", k.sgpr_spill_count},
        {"vgpr_spill_count", k.vgpr_spill_count},
        {"wavefront_size", k.wavefront_size},
        {"max_workgroup_size", k.max_workgroup_size},
        {"uses_dynamic_stack", k.uses_dynamic_stack},
    };
    if (limits) {
      Occupancy o = estimate_occupancy(k, *limits);
      kernel["occupancy"] = {{"waves_per_simd", o.waves_per_simd}, {"limited_by", o.limited_by}};
    }
    kernels.push_back(std::move(kernel));
  }
  return {{"target_id", object.target_id.to_string()},
          {"code_object_version", object.code_object_version},
          {"kernels", std::move(kernels)}};
}

nlohmann::json cubin_metadata_json(const CubinInfo& cubin, std::string_view built_target) {
  nlohmann::json kernels = nlohmann::json::array();
  for (const NvKernel& k : cubin.kernels) {
    nlohmann::json args = nlohmann::json::array();
    for (const NvParam& p : k.params) args.push_back({{"offset", p.offset}, {"size", p.size}});
    kernels.push_back({{"name", k.name},
                       {"args", std::move(args)},
                       {"param_bytes", k.param_bytes},
                       {"registers", k.registers},
                       {"shared_bytes", k.shared_bytes},
                       {"local_bytes", k.local_bytes},
                       {"max_stack_bytes", k.max_stack_bytes},
                       {"max_threads", k.max_threads ? k.max_threads : kCudaMaxThreadsPerBlock}});
  }
  nlohmann::json json = {{"target_id", built_target.empty() ? cubin.arch : built_target}};
  if (built_target.empty() && cubin.arch_suffix_unknown) {
    json["target_id_note"] =
        concat("the cubin's ELF header records ", cubin.arch, " for ", cubin.arch, " and ",
               cubin.arch, "a alike; the build that made it knows which");
  }
  json["kernels"] = std::move(kernels);
  return json;
}

nlohmann::json ptx_metadata_json(const PtxModule& module) {
  nlohmann::json kernels = nlohmann::json::array();
  for (const PtxEntry& e : module.entries) {
    nlohmann::json args = nlohmann::json::array();
    for (const PtxParam& p : e.params) {
      args.push_back({{"offset", p.offset},
                      {"size", p.size},
                      {"align", p.align},
                      {"type", p.type},
                      {"name", p.name}});
    }
    kernels.push_back({{"name", e.name},
                       {"args", std::move(args)},
                       {"param_bytes", e.param_bytes},
                       {"max_threads", e.max_threads ? e.max_threads : kCudaMaxThreadsPerBlock}});
  }
  return {{"target_id", module.target},
          {"ptx_version", module.version},
          {"kernels", std::move(kernels)}};
}

Result<nlohmann::json> code_object_metadata_json(std::span<const std::uint8_t> bytes,
                                                 std::string_view format,
                                                 std::string_view built_target) {
  if (format == "hsaco") {
    auto object = read_amdgpu_code_object(bytes);
    if (!object) return object.error();
    return amd_metadata_json(*object);
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
    return cubin_metadata_json(*cubin, built_target);
  }
  if (format == "ptx") {
    auto module = read_ptx(as_chars(bytes));
    if (!module) return module.error();
    if (!built_target.empty() && module->target != built_target) {
      return make_error(
          concat("PTX: its .target is ", module->target, ", but it was built for ", built_target));
    }
    return ptx_metadata_json(*module);
  }
  return make_error(
      concat("unknown code-object format \"", format, "\" (expected hsaco, cubin or ptx)"));
}

}  // namespace aotc::codeobj
