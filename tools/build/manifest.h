// out/manifest.json (schema "aotc-manifest", schema_version 1; docs/DESIGN.md "manifest.json"):
// every variant with its axis values and, per target, the code object's file, size, SHA-256,
// compiler and flags. Assembled as JSON in memory so later phases (metadata, bundles, the
// launcher generator) can read and extend it before it is written.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "build/status_printer.h"
#include "codeobj/object_record.h"
#include "matrix/matrix.h"

namespace aotc {

using codeobj::ObjectRecord;

struct ManifestInputs {
  const Matrix* matrix = nullptr;
  std::string matrix_name;  // as the user named it, e.g. "build-matrix.json"
  std::string matrix_sha256;
  const std::vector<Variant>* variants = nullptr;
  // objects[i]: the code objects of variants[i], in target order.
  const std::vector<std::vector<ObjectRecord>>* objects = nullptr;
  // bundles[i]: the "bundle" object of variants[i], or the array of its entries' bundles for a
  // Triton variant; null for a variant without AMD objects.
  const std::vector<nlohmann::ordered_json>* bundles = nullptr;
  BuildSummary summary;
};

nlohmann::ordered_json make_manifest(const ManifestInputs& inputs);

}  // namespace aotc
