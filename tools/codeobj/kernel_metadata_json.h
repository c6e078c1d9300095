// KernelMetadata in its written form: the "metadata" object of every manifest object and of
// `aotc inspect --json` (docs/DESIGN.md "manifest.json", docs/CODE_OBJECTS.md). The one place that
// knows the field names, both ways; each format writes the fields it records, with the names its
// vendor's tools use (group_segment_size on AMD, shared_bytes on NVIDIA).
#pragma once

#include <nlohmann/json.hpp>

#include "codeobj/kernel_metadata.h"

namespace aotc::codeobj {

nlohmann::json to_json(const KernelMetadata& metadata);

// The inverse of to_json, for an object of `format` (the manifest records it beside the
// metadata). An error names the field that is missing or of the wrong type.
Result<KernelMetadata> kernel_metadata_from_json(const nlohmann::json& json,
                                                 CodeObjectFormat format);

}  // namespace aotc::codeobj
