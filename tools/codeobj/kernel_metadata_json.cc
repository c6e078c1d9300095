#include "codeobj/kernel_metadata_json.h"

namespace aotc::codeobj {
namespace {

nlohmann::json arg_json(const ArgMetadata& arg, CodeObjectFormat format) {
  nlohmann::json json = {{"offset", arg.offset}, {"size", arg.size}};
  if (format == CodeObjectFormat::hsaco) {
    json["kind"] = arg.kind;
    if (!arg.address_space.empty()) json["address_space"] = arg.address_space;
    if (!arg.name.empty()) json["name"] = arg.name;
  } else if (format == CodeObjectFormat::ptx) {
    json["align"] = arg.align;
    json["type"] = arg.type;
    json["name"] = arg.name;
  }
  return json;
}

nlohmann::json kernel_json(const KernelInfo& kernel, CodeObjectFormat format) {
  nlohmann::json args = nlohmann::json::array();
  for (const ArgMetadata& arg : kernel.args) args.push_back(arg_json(arg, format));
  nlohmann::json json = {{"name", kernel.name}, {"args", std::move(args)}};
  const KernelResources& r = kernel.resources;
  switch (format) {
    case CodeObjectFormat::hsaco:
      json.update({{"symbol", kernel.symbol},
                   {"kernarg_size", kernel.arg_bytes},
                   {"kernarg_align", kernel.arg_align},
                   {"group_segment_size", r.shared_bytes},
                   {"private_segment_size", r.scratch_bytes},
                   {"sgpr_count", r.sgpr_count},
                   {"vgpr_count", r.vgpr_count},
                   {"agpr_count", r.agpr_count},
                   {"sgpr_spill_count", r.sgpr_spill_count},
                   {"vgpr_spill_count", r.vgpr_spill_count},
                   {"wavefront_size", r.wavefront_size},
                   {"max_workgroup_size", kernel.max_threads},
                   {"uses_dynamic_stack", r.uses_dynamic_stack}});
      if (kernel.occupancy) {
        json["occupancy"] = {{"waves_per_simd", kernel.occupancy->waves_per_simd},
                             {"limited_by", kernel.occupancy->limited_by}};
      }
      break;
    case CodeObjectFormat::cubin:
      json.update({{"param_bytes", kernel.arg_bytes},
                   {"registers", r.registers},
                   {"shared_bytes", r.shared_bytes},
                   {"local_bytes", r.scratch_bytes},
                   {"max_stack_bytes", r.max_stack_bytes},
                   {"max_threads", kernel.max_threads}});
      break;
    case CodeObjectFormat::ptx:
      json.update({{"param_bytes", kernel.arg_bytes}, {"max_threads", kernel.max_threads}});
      break;
  }
  return json;
}

}  // namespace

nlohmann::json to_json(const KernelMetadata& metadata) {
  nlohmann::json kernels = nlohmann::json::array();
  for (const KernelInfo& kernel : metadata.kernels) {
    kernels.push_back(kernel_json(kernel, metadata.format));
  }
  nlohmann::json json = {{"target_id", metadata.target_id}, {"kernels", std::move(kernels)}};
  if (!metadata.target_id_note.empty()) json["target_id_note"] = metadata.target_id_note;
  if (metadata.format == CodeObjectFormat::hsaco) {
    json["code_object_version"] = metadata.code_object_version;
  } else if (metadata.format == CodeObjectFormat::ptx) {
    json["ptx_version"] = metadata.ptx_version;
  }
  return json;
}

}  // namespace aotc::codeobj
