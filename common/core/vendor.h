// GPU vendors and which one a target belongs to. The build chooses compilers by vendor, and
// launch rules may give an expression per vendor ({"amd": ..., "nvidia": ...}), so both the build
// and the launcher generator need the same answer for a target name.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace aotc {

enum class Vendor { amd, nvidia };

inline constexpr std::array<Vendor, 2> k_vendors{Vendor::amd, Vendor::nvidia};

std::string_view vendor_name(Vendor vendor);  // "amd" / "nvidia"
// The inverse of vendor_name; nullopt for anything else.
std::optional<Vendor> vendor_from_name(std::string_view name);

// gfx* -> amd, sm_* -> nvidia; anything else is an error naming the target.
Result<Vendor> vendor_of_target(std::string_view target);

}  // namespace aotc
