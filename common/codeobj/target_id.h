// AMDGPU target ids (`gfx942:sramecc+:xnack-`) and the HIP runtime's rules for which code object
// may run on which device, including the fallback from a specific processor to its generic
// target (gfx942 -> gfx9-4-generic).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace aotc::codeobj {

struct TargetId {
  std::string processor;                 // "gfx942", "gfx9-4-generic", "sm_90a"
  std::map<std::string, char> features;  // feature -> '+' or '-'; absent = any

  // Canonical spelling: processor, then features in alphabetical order ("gfx942:sramecc+:xnack-").
  std::string to_string() const;
  bool operator==(const TargetId&) const = default;
};

// Parses "gfx942", "gfx942:sramecc+:xnack-", "amdgcn-amd-amdhsa--gfx942:xnack+" and bundle ids
// such as "hipv4-amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-". Rejects unknown or repeated
// features and features without +/-.
Result<TargetId> parse_target_id(std::string_view text);

// HIP runtime rule: same processor; a feature absent from the code object accepts any setting;
// a feature present must equal the device's.
bool code_object_fits_device(const TargetId& code_object, const TargetId& device);

// The generic target LLVM lets stand in for `processor` (gfx942 and gfx950 -> gfx9-4-generic,
// gfx1100 -> gfx11-generic, ...); nullopt when there is none.
std::optional<std::string> generic_target_for(std::string_view processor);

// Index of the code object to load on `device`: an exact-processor match that fits beats a
// generic-target match that fits; among equals, the one stating more features (the more specific
// build) wins, then the earliest. -1 when nothing fits.
int pick_best_code_object(std::span<const TargetId> code_objects, const TargetId& device);

}  // namespace aotc::codeobj
