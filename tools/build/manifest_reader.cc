#include "build/manifest_reader.h"

#include <map>

#include "codeobj/kernel_metadata_json.h"

namespace aotc {
namespace {

using codeobj::ObjectRecord;

codeobj::TritonObjectFacts triton_from_json(const nlohmann::json& json) {
  codeobj::TritonObjectFacts triton;
  triton.signature = json.at("signature").get<std::vector<std::string>>();
  triton.options = json.at("options");
  triton.metadata_file = json.at("metadata_file").get<std::string>();
  triton.metadata_size = json.at("metadata_size").get<std::uint64_t>();
  triton.metadata_sha256 = json.at("metadata_sha256").get<std::string>();
  triton.runtime_arguments = json.at("runtime_arguments").get<std::uint64_t>();
  for (const nlohmann::json& s : json.at("scratch")) {
    triton.scratch.push_back({s.at("name").get<std::string>(), s.at("size").get<std::uint64_t>(),
                              s.at("align").get<std::uint64_t>()});
  }
  triton.shared = json.at("shared").get<std::uint64_t>();
  triton.num_warps = json.at("num_warps").get<std::uint64_t>();
  triton.version = json.at("version").get<std::string>();
  return triton;
}

// The fields object_json (manifest.cc) writes; nlohmann's exceptions (a missing field, a wrong
// type) become the caller's error.
Result<ObjectRecord> object_from_json(const nlohmann::json& json, const std::string& where) {
  ObjectRecord record;
  try {
    record.target = json.at("target").get<std::string>();
    record.vendor = json.at("vendor").get<std::string>();
    record.format = json.at("format").get<std::string>();
    record.file = json.at("file").get<std::string>();
    record.entry = json.value("entry", std::string());
    record.size = json.at("size").get<std::uint64_t>();
    record.sha256 = json.at("sha256").get<std::string>();
    if (json.contains("ptx_file")) {
      record.ptx_file = json.at("ptx_file").get<std::string>();
      record.ptx_size = json.at("ptx_size").get<std::uint64_t>();
      record.ptx_sha256 = json.at("ptx_sha256").get<std::string>();
    }
    record.compiler = {json.at("compiler").at("path").get<std::string>(),
                       json.at("compiler").at("version").get<std::string>()};
    record.flags = json.at("flags").get<std::vector<std::string>>();
    if (json.contains("triton")) record.triton = triton_from_json(json.at("triton"));
  } catch (const nlohmann::json::exception& e) {
    return make_error(where + ": " + e.what());
  }
  if (json.contains("metadata")) {
    auto format = codeobj::format_from_name(record.format);
    if (!format) return make_error(where + ".format: unknown format '" + record.format + "'");
    auto metadata = codeobj::kernel_metadata_from_json(json.at("metadata"), *format);
    if (!metadata) return metadata.error().with_context(where + ".metadata");
    record.metadata = std::move(*metadata);
  }
  return record;
}

}  // namespace

Result<std::vector<std::vector<ObjectRecord>>> read_manifest_objects(
    const nlohmann::json& manifest, const std::vector<Variant>& variants) {
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < variants.size(); ++i) index.emplace(variants[i].name, i);
  std::vector<std::vector<ObjectRecord>> records(variants.size());
  if (!manifest.contains("variants") || !manifest["variants"].is_array()) {
    return make_error("manifest: 'variants' is missing or not an array");
  }
  const nlohmann::json& listed = manifest["variants"];
  for (std::size_t v = 0; v < listed.size(); ++v) {
    const nlohmann::json& variant = listed[v];
    const std::string where = "manifest: variants[" + std::to_string(v) + "]";
    if (!variant.is_object() || !variant.contains("name") || !variant["name"].is_string()) {
      return make_error(where + ": needs a 'name'");
    }
    auto it = index.find(variant["name"].get<std::string>());
    if (it == index.end() || !variant.contains("objects")) continue;
    const nlohmann::json& objects = variant["objects"];
    if (!objects.is_array()) return make_error(where + ".objects: not an array");
    for (std::size_t o = 0; o < objects.size(); ++o) {
      auto record = object_from_json(objects[o], where + ".objects[" + std::to_string(o) + "]");
      if (!record) return record.error();
      records[it->second].push_back(std::move(*record));
    }
  }
  return records;
}

}  // namespace aotc
