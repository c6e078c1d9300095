#include "codeobj/inspect_report.h"

#include "codeobj/concat.h"
#include "codeobj/kernel_metadata.h"
#include "codeobj/kernel_metadata_json.h"
#include "codeobj/offload_bundle.h"

namespace aotc::codeobj {
namespace {

Result<nlohmann::json> describe_code_object(std::span<const std::uint8_t> bytes) {
  auto format = detect_code_object_format(bytes);
  if (!format) {
    return make_error("not a code object, cubin, PTX file or offload bundle (unrecognised header)");
  }
  nlohmann::json out = {{"format", *format}, {"size", bytes.size()}};
  if (*format == "bundle") return out;
  auto metadata = read_kernel_metadata(bytes, *format);
  if (!metadata) return metadata.error();
  out["metadata"] = to_json(*metadata);
  return out;
}

}  // namespace

Result<nlohmann::json> inspect_report(std::span<const std::uint8_t> bytes) {
  if (!looks_like_offload_bundle(bytes)) return describe_code_object(bytes);
  BundleFormat format;
  auto entries = read_offload_bundle(bytes, format);
  if (!entries) return entries.error();
  nlohmann::json out = {{"format", "bundle"},
                        {"size", bytes.size()},
                        {"compressed", format.compressed},
                        {"uncompressed_size", format.uncompressed_size}};
  if (format.compressed) {
    out["ccob_version"] = format.ccob_version;
    out["compression"] = format.method;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const BundleEntry& e : *entries) {
    nlohmann::json entry = {{"id", e.id}, {"size", e.bytes.size()}};
    if (!e.bytes.empty()) {
      auto described = describe_code_object(e.bytes);
      if (!described) return described.error().with_context(concat("entry ", e.id));
      entry["format"] = (*described)["format"];
      if (described->contains("metadata")) entry["metadata"] = (*described)["metadata"];
    }
    list.push_back(std::move(entry));
  }
  out["entries"] = std::move(list);
  return out;
}

}  // namespace aotc::codeobj
