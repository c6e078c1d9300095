// `aotc verify OUT`: checks an output directory against its manifest. Every file manifest.json
// lists (code objects, PTX, bundles, launchers) must exist with the listed size and SHA-256. It
// reads every byte, unlike the build's no-op check (output_tree.h), which trusts a file whose
// size, inode and modification time match its stamp: verify also catches a file changed with its
// modification time put back, or a disk that corrupted it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

// One file the manifest lists, with where it lists it (a JSON path, for messages).
struct ListedFile {
  std::string file;  // relative to out/, e.g. "gfx942/pa_decode.kv-bf16.bs16.q1.h64x8.d128.hsaco"
  std::uint64_t size = 0;
  std::string sha256;
  std::string where;  // e.g. "variants[3].objects[0]"
};

// Every file `manifest` lists, in manifest order. An entry without a size or SHA-256, or naming a
// path that is absolute or climbs out of out/, is an error naming its JSON path: a tampered
// manifest must not make verify read files elsewhere.
Result<std::vector<ListedFile>> listed_output_files(const nlohmann::json& manifest);

struct VerifyReport {
  std::size_t checked = 0;
  std::vector<std::string> mismatches;  // one line per file that is missing or differs
};

// Re-hashes every listed file under out_dir. An Error when manifest.json itself cannot be read.
Result<VerifyReport> verify_output_dir(const std::filesystem::path& out_dir);

}  // namespace aotc
