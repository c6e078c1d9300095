#include "core/vendor.h"

#include <string>

namespace aotc {

std::string_view vendor_name(Vendor vendor) { return vendor == Vendor::amd ? "amd" : "nvidia"; }

std::optional<Vendor> vendor_from_name(std::string_view name) {
  for (Vendor v : k_vendors) {
    if (vendor_name(v) == name) return v;
  }
  return std::nullopt;
}

Result<Vendor> vendor_of_target(std::string_view target) {
  if (target.starts_with("gfx")) return Vendor::amd;
  if (target.starts_with("sm_")) return Vendor::nvidia;
  return make_error("target \"" + std::string(target) +
                    "\": unknown vendor (expected an AMD gfx* or NVIDIA sm_* name)");
}

}  // namespace aotc
