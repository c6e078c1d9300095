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
  if (kernel.waits_for_prior_grid) json["waits_for_prior_grid"] = *kernel.waits_for_prior_grid;
  return json;
}

// Reads the fields to_json writes; nlohmann's exceptions (a missing field, a wrong type) become
// the caller's error.
KernelInfo kernel_from_json(const nlohmann::json& json, CodeObjectFormat format) {
  KernelInfo kernel;
  kernel.name = json.at("name").get<std::string>();
  for (const nlohmann::json& a : json.at("args")) {
    ArgMetadata arg;
    arg.offset = a.at("offset").get<std::uint64_t>();
    arg.size = a.at("size").get<std::uint64_t>();
    if (format == CodeObjectFormat::hsaco) {
      arg.kind = a.at("kind").get<std::string>();
      arg.address_space = a.value("address_space", std::string());
      arg.name = a.value("name", std::string());
    } else if (format == CodeObjectFormat::ptx) {
      arg.align = a.at("align").get<std::uint64_t>();
      arg.type = a.at("type").get<std::string>();
      arg.name = a.at("name").get<std::string>();
    }
    kernel.args.push_back(std::move(arg));
  }
  KernelResources& r = kernel.resources;
  auto number = [&](const char* key) { return json.at(key).get<std::uint64_t>(); };
  switch (format) {
    case CodeObjectFormat::hsaco:
      kernel.symbol = json.at("symbol").get<std::string>();
      kernel.arg_bytes = number("kernarg_size");
      kernel.arg_align = number("kernarg_align");
      r.shared_bytes = number("group_segment_size");
      r.scratch_bytes = number("private_segment_size");
      r.sgpr_count = number("sgpr_count");
      r.vgpr_count = number("vgpr_count");
      r.agpr_count = number("agpr_count");
      r.sgpr_spill_count = number("sgpr_spill_count");
      r.vgpr_spill_count = number("vgpr_spill_count");
      r.wavefront_size = number("wavefront_size");
      kernel.max_threads = number("max_workgroup_size");
      r.uses_dynamic_stack = json.at("uses_dynamic_stack").get<bool>();
      if (json.contains("occupancy")) {
        const nlohmann::json& o = json.at("occupancy");
        kernel.occupancy =
            Occupancy{o.at("waves_per_simd").get<int>(), o.at("limited_by").get<std::string>()};
      }
      break;
    case CodeObjectFormat::cubin:
      kernel.arg_bytes = number("param_bytes");
      r.registers = number("registers");
      r.shared_bytes = number("shared_bytes");
      r.scratch_bytes = number("local_bytes");
      r.max_stack_bytes = number("max_stack_bytes");
      kernel.max_threads = number("max_threads");
      break;
    case CodeObjectFormat::ptx:
      kernel.arg_bytes = number("param_bytes");
      kernel.max_threads = number("max_threads");
      break;
  }
  if (json.contains("waits_for_prior_grid")) {
    kernel.waits_for_prior_grid = json.at("waits_for_prior_grid").get<bool>();
  }
  return kernel;
}

}  // namespace

Result<KernelMetadata> kernel_metadata_from_json(const nlohmann::json& json,
                                                 CodeObjectFormat format) {
  KernelMetadata md;
  md.format = format;
  try {
    md.target_id = json.at("target_id").get<std::string>();
    md.target_id_note = json.value("target_id_note", std::string());
    if (format == CodeObjectFormat::hsaco) {
      md.code_object_version = json.at("code_object_version").get<int>();
    } else if (format == CodeObjectFormat::ptx) {
      md.ptx_version = json.at("ptx_version").get<std::string>();
    }
    const nlohmann::json& kernels = json.at("kernels");
    for (std::size_t k = 0; k < kernels.size(); ++k) {
      try {
        md.kernels.push_back(kernel_from_json(kernels.at(k), format));
      } catch (const nlohmann::json::exception& e) {
        return make_error("kernels[" + std::to_string(k) + "]: " + e.what());
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(e.what());
  }
  return md;
}

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
