// The manifest's per-object "metadata" JSON (docs/DESIGN.md, "manifest.json"), one shape for
// AMD code objects, cubins and PTX, so tools/build, tools/launcher and `aotc inspect` agree.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/ptx_entries.h"
#include "core/result.h"

namespace aotc::codeobj {

// "hsaco", "cubin", "ptx" or "bundle" from the first bytes; nullopt when none fits.
std::optional<std::string> detect_code_object_format(std::span<const std::uint8_t> bytes);

nlohmann::json amd_metadata_json(const AmdCodeObject& object);
nlohmann::json cubin_metadata_json(const CubinInfo& cubin);
nlohmann::json ptx_metadata_json(const PtxModule& module);

// Reads `bytes` as `format` ("hsaco", "cubin" or "ptx") and returns the metadata object.
Result<nlohmann::json> code_object_metadata_json(std::span<const std::uint8_t> bytes,
                                                 std::string_view format);

}  // namespace aotc::codeobj
