// Target-id parsing and matching. The grammar (LLVM's AMDGPUUsage "Target ID"): a processor
// followed by `:feature+` or `:feature-` for each of the target features sramecc and xnack. Bundle
// ids prefix an offload kind and triple; the HIP runtime splits them at the last '-' of the
// triple, which is why the target id follows "amdgcn-amd-amdhsa--" (empty environment field).
#include "codeobj/target_id.h"

#include <algorithm>
#include <array>

#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

constexpr std::array<std::string_view, 2> kKnownFeatures = {"sramecc", "xnack"};

struct GenericFamily {
  std::string_view generic;
  std::array<std::string_view, 12> members;
};

// From LLVM's AMDGPUUsage "Generic processors" table (LLVM 22).
constexpr std::array<GenericFamily, 6> kGenericFamilies = {{
    {"gfx9-generic", {"gfx900", "gfx902", "gfx904", "gfx906", "gfx909", "gfx90c"}},
    {"gfx9-4-generic", {"gfx942", "gfx950"}},
    {"gfx10-1-generic", {"gfx1010", "gfx1011", "gfx1012", "gfx1013"}},
    {"gfx10-3-generic",
     {"gfx1030", "gfx1031", "gfx1032", "gfx1033", "gfx1034", "gfx1035", "gfx1036"}},
    {"gfx11-generic",
     {"gfx1100", "gfx1101", "gfx1102", "gfx1103", "gfx1150", "gfx1151", "gfx1152", "gfx1153"}},
    {"gfx12-generic", {"gfx1200", "gfx1201"}},
}};

// Strips an offload-kind and triple prefix: the target id is whatever follows the last "--"
// (bundle ids and amdhsa.target), or the text itself.
std::string_view strip_triple(std::string_view text) {
  auto at = text.rfind("--");
  return at == std::string_view::npos ? text : text.substr(at + 2);
}

}  // namespace

std::string TargetId::to_string() const {
  std::string out = processor;
  for (const auto& [name, sign] : features) out += ":" + name + sign;
  return out;
}

Result<TargetId> parse_target_id(std::string_view text) {
  std::string_view id = strip_triple(text);
  auto quoted = concat("target id \"", text, "\"");
  if (id.empty()) return make_error(quoted + ": empty");
  TargetId out;
  std::size_t colon = id.find(':');
  out.processor = std::string(id.substr(0, colon));
  if (!out.processor.starts_with("gfx") && !out.processor.starts_with("sm_")) {
    return make_error(concat(quoted, ": processor \"", out.processor,
                             "\" is neither an AMD (gfx*) nor an NVIDIA (sm_*) target"));
  }
  for (char c : out.processor) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return make_error(concat(quoted, ": invalid character '", c, "' in processor"));
  }
  while (colon != std::string_view::npos) {
    std::size_t next = id.find(':', colon + 1);
    std::string_view feature = id.substr(
        colon + 1, next == std::string_view::npos ? std::string_view::npos : next - colon - 1);
    if (feature.size() < 2 || (feature.back() != '+' && feature.back() != '-')) {
      return make_error(concat(quoted, ": feature \"", feature, "\" must end in + or -"));
    }
    std::string name(feature.substr(0, feature.size() - 1));
    if (std::find(kKnownFeatures.begin(), kKnownFeatures.end(), name) == kKnownFeatures.end()) {
      return make_error(concat(quoted, ": unknown feature \"", name, "\" (known: sramecc, xnack)"));
    }
    if (!out.features.emplace(name, feature.back()).second) {
      return make_error(concat(quoted, ": feature \"", name, "\" given twice"));
    }
    colon = next;
  }
  return out;
}

bool code_object_fits_device(const TargetId& code_object, const TargetId& device) {
  if (code_object.processor != device.processor) return false;
  for (const auto& [name, sign] : code_object.features) {
    auto it = device.features.find(name);
    if (it == device.features.end() || it->second != sign) return false;
  }
  return true;
}

std::optional<std::string> generic_target_for(std::string_view processor) {
  for (const auto& family : kGenericFamilies) {
    if (std::find(family.members.begin(), family.members.end(), processor) !=
        family.members.end()) {
      return std::string(family.generic);
    }
  }
  return std::nullopt;
}

int pick_best_code_object(std::span<const TargetId> code_objects, const TargetId& device) {
  TargetId generic_device = device;
  auto generic = generic_target_for(device.processor);
  if (generic) generic_device.processor = *generic;
  int best = -1;
  int best_score = -1;
  for (std::size_t i = 0; i < code_objects.size(); ++i) {
    int rank;
    if (code_object_fits_device(code_objects[i], device)) {
      rank = 2;
    } else if (generic && code_object_fits_device(code_objects[i], generic_device)) {
      rank = 1;
    } else {
      continue;
    }
    int score = rank * 16 + static_cast<int>(code_objects[i].features.size());
    if (score > best_score) {
      best_score = score;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace aotc::codeobj
