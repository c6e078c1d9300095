#include "build/manifest.h"

#include "build/build_plan.h"
#include "codeobj/kernel_metadata_json.h"

namespace aotc {

namespace {

constexpr int kManifestSchemaVersion = 1;

nlohmann::ordered_json triton_json(const codeobj::TritonObjectFacts& triton) {
  nlohmann::ordered_json scratch = nlohmann::ordered_json::array();
  for (const codeobj::TritonScratch& s : triton.scratch) {
    scratch.push_back({{"name", s.name}, {"size", s.size}, {"align", s.align}});
  }
  return {{"signature", triton.signature},
          {"options", triton.options},
          {"metadata_file", triton.metadata_file},
          {"metadata_size", triton.metadata_size},
          {"metadata_sha256", triton.metadata_sha256},
          {"runtime_arguments", triton.runtime_arguments},
          {"scratch", std::move(scratch)},
          {"shared", triton.shared},
          {"num_warps", triton.num_warps},
          {"version", triton.version}};
}

nlohmann::ordered_json object_json(const ObjectRecord& object) {
  nlohmann::ordered_json json = {{"target", object.target},
                                 {"vendor", object.vendor},
                                 {"format", object.format},
                                 {"file", object.file}};
  if (!object.entry.empty()) json["entry"] = object.entry;
  json["size"] = object.size;
  json["sha256"] = object.sha256;
  if (!object.ptx_file.empty()) {
    json["ptx_file"] = object.ptx_file;
    json["ptx_size"] = object.ptx_size;
    json["ptx_sha256"] = object.ptx_sha256;
  }
  json["compiler"] = {{"path", object.compiler.path}, {"version", object.compiler.version}};
  json["flags"] = object.flags;
  if (object.metadata) json["metadata"] = codeobj::to_json(*object.metadata);
  if (object.triton) json["triton"] = triton_json(*object.triton);
  return json;
}

}  // namespace

nlohmann::ordered_json make_manifest(const ManifestInputs& inputs) {
  const Matrix& matrix = *inputs.matrix;
  nlohmann::ordered_json manifest = {{"schema", "aotc-manifest"},
                                     {"schema_version", kManifestSchemaVersion},
                                     {"aotc_version", AOTC_VERSION},
                                     {"matrix", inputs.matrix_name},
                                     {"matrix_sha256", inputs.matrix_sha256}};

  auto& kernels = manifest["kernels"] = nlohmann::ordered_json::array();
  for (const auto& kernel : matrix.kernels) {
    nlohmann::ordered_json axes = nlohmann::ordered_json::array();
    for (const auto& axis : kernel.axes) axes.push_back(axis.name);
    nlohmann::ordered_json entry = {
        {"name", kernel.name},
        {"language", kernel.language == KernelLanguage::triton ? "triton" : "hip"},
        {"source", root_relative(kernel.source, matrix.root)},
        {"entries", kernel.entries},
        {"axes", axes}};
    if (!kernel.launch.is_null()) entry["launch"] = kernel.launch;
    kernels.push_back(std::move(entry));
  }

  auto& variants = manifest["variants"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < inputs.variants->size(); ++i) {
    const Variant& variant = (*inputs.variants)[i];
    nlohmann::ordered_json axes = nlohmann::ordered_json::object();
    for (const auto& [name, value] : variant.axis_values) axes[name] = value.value;
    nlohmann::ordered_json defines = nlohmann::ordered_json::array();
    for (const Define& define : variant.defines) defines.push_back(define.text());
    nlohmann::ordered_json objects = nlohmann::ordered_json::array();
    for (const auto& object : (*inputs.objects)[i]) objects.push_back(object_json(object));
    nlohmann::ordered_json entry = {{"name", variant.name},
                                    {"kernel", variant.kernel},
                                    {"axes", axes},
                                    {"defines", defines},
                                    {"objects", objects}};
    const auto& bundle = (*inputs.bundles)[i];
    if (bundle.is_array()) {
      entry["bundles"] = bundle;
    } else if (!bundle.is_null()) {
      entry["bundle"] = bundle;
    }
    variants.push_back(std::move(entry));
  }

  const BuildSummary& summary = inputs.summary;
  manifest["summary"] = {{"variants", summary.variants}, {"targets", summary.targets},
                         {"compiled", summary.compiled}, {"cached", summary.cached},
                         {"failed", summary.failed},     {"wall_seconds", summary.wall_seconds}};
  return manifest;
}

}  // namespace aotc
