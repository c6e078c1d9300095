#include "build/variant_bundle.h"

#include "codeobj/bundle_writer.h"
#include "codeobj/offload_bundle.h"
#include "codeobj/target_id.h"
#include "core/hashing.h"

namespace aotc {

std::string bundle_file(const std::string& variant_name) {
  return "bundles/" + variant_name + ".hipfb";
}

Result<VariantBundle> make_variant_bundle(const std::string& variant_name,
                                          const std::vector<BundledObject>& objects,
                                          const MatrixOptions& options) {
  std::vector<codeobj::BundleEntry> entries;
  nlohmann::ordered_json ids = nlohmann::ordered_json::array();
  for (const auto& object : objects) {
    auto target = codeobj::parse_target_id(object.target_id);
    if (!target) return target.error().with_context(variant_name + ": bundle");
    std::string id = codeobj::amd_bundle_entry_id(*target);
    ids.push_back(id);
    entries.push_back({id, std::vector<std::uint8_t>(object.bytes.begin(), object.bytes.end())});
  }
  auto write_options =
      codeobj::bundle_options_for_rocm_floor(options.rocm_floor, options.compress_bundles);
  auto bytes = codeobj::write_offload_bundle(entries, write_options);
  if (!bytes) return bytes.error().with_context(variant_name + ": bundle");

  bool compressed = write_options.compression != codeobj::BundleWriteOptions::none;
  std::string format = "uncompressed";
  if (compressed) {
    format = std::string("ccob-v") + std::to_string(write_options.ccob_version) + "-" +
             (write_options.compression == codeobj::BundleWriteOptions::zstd ? "zstd" : "zlib");
  }
  VariantBundle bundle;
  bundle.file = bundle_file(variant_name);
  bundle.record = {{"file", bundle.file},   {"compressed", compressed},
                   {"format", format},      {"entries", ids},
                   {"size", bytes->size()}, {"sha256", to_hex(sha256(*bytes))}};
  bundle.bytes = std::move(bytes.value());
  return bundle;
}

}  // namespace aotc
