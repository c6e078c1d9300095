// A description of any file aotc understands (code object, cubin, PTX, plain or compressed
// bundle) as JSON: what `aotc inspect --json` prints and what its human table is drawn from.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "core/result.h"

namespace aotc::codeobj {

// {"format", "size", "metadata"} for code objects; for bundles {"format": "bundle", "size",
// "compressed", "ccob_version", "compression", "uncompressed_size", "entries": [{"id", "size",
// "format", "metadata"}]}. Entries that are themselves bundles are listed, not opened, so a
// crafted file cannot nest without bound. Any unreadable part fails the whole report.
Result<nlohmann::json> inspect_report(std::span<const std::uint8_t> bytes);

}  // namespace aotc::codeobj
