// The offload bundle of one variant (out/bundles/<variant>.hipfb): its AMD code objects for every
// target, in the format the HIP runtime loads, compressed only when the matrix asks and its ROCm
// floor can read it (codeobj::bundle_options_for_rocm_floor).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "matrix/matrix.h"

namespace aotc {

struct BundledObject {
  std::string target_id;  // from the code object's metadata, e.g. "gfx942"
  std::span<const std::uint8_t> bytes;
};

struct VariantBundle {
  std::string file;  // "bundles/<variant>.hipfb", relative to out/
  std::vector<std::uint8_t> bytes;
  nlohmann::ordered_json record;  // the manifest's "bundle" object
};

// out/-relative path of a variant's bundle.
std::string bundle_file(const std::string& variant_name);

Result<VariantBundle> make_variant_bundle(const std::string& variant_name,
                                          const std::vector<BundledObject>& objects,
                                          const MatrixOptions& options);

}  // namespace aotc
