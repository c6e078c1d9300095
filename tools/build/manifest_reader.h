// Reads a build's out/manifest.json (docs/DESIGN.md "manifest.json") back into the typed object
// records the build wrote it from (manifest.h), so a build on disk can be taken the same way as
// one in memory: e.g. its launchers generated again for an edited launch rule.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "codeobj/object_record.h"
#include "core/result.h"
#include "matrix/matrix.h"

namespace aotc {

// Per variant of `variants`, the records of the manifest's variant of that name, in the
// manifest's order; none for a variant the manifest does not list (or lists without objects).
// Errors name the place: "manifest: variants[3].objects[1].metadata: ...".
Result<std::vector<std::vector<codeobj::ObjectRecord>>> read_manifest_objects(
    const nlohmann::json& manifest, const std::vector<Variant>& variants);

}  // namespace aotc
