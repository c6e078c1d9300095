// Reading and validating build-matrix.json (format: docs/MATRIX.md). Validation collects every
// problem before failing, so one run reports all bad entries; each message names the file, the
// JSON path, what was expected and what was found.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "matrix/matrix.h"

namespace aotc {

struct MatrixLoadOptions {
  // Replaces the matrix's source root ("root"; aotc build --source-root).
  std::optional<std::filesystem::path> source_root;
};

// Parses matrix text. `file` is used for messages and to resolve relative paths (source,
// include_dirs) against its directory. On failure the Error holds one line per problem.
Result<Matrix> parse_matrix(std::string_view json_text, const std::filesystem::path& file,
                            const MatrixLoadOptions& load = {});

// Reads and parses a matrix file.
Result<Matrix> load_matrix(const std::filesystem::path& file, const MatrixLoadOptions& load = {});

}  // namespace aotc
