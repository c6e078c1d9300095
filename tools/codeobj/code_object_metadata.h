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
// "target_id" is `built_target` when given (checked by the caller against cubin.arch), else the
// ELF's SM number, then with "target_id_note" saying when that cannot tell sm_90 from sm_90a.
nlohmann::json cubin_metadata_json(const CubinInfo& cubin, std::string_view built_target = {});
nlohmann::json ptx_metadata_json(const PtxModule& module);

// Reads `bytes` as `format` ("hsaco", "cubin" or "ptx") and returns the metadata object.
// `built_target` is the target the object was built for, when known (the build knows it): a
// cubin's target then comes from it, as its ELF cannot tell sm_90 from sm_90a; an object whose
// own header names another target is an error.
Result<nlohmann::json> code_object_metadata_json(std::span<const std::uint8_t> bytes,
                                                 std::string_view format,
                                                 std::string_view built_target = {});

}  // namespace aotc::codeobj
