// Where the files a matrix names (kernel sources, include directories) are. Relative paths are
// resolved against the matrix file's directory and must stay inside that directory tree, as
// written and after resolving symbolic links, so a matrix checked into a repository only reads
// that repository. An absolute path is the author saying explicitly where a file is; it is taken
// as written (it must still exist).
#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace aotc {

enum class PathKind { file, directory };

// The absolute, lexically normal path; on failure the Error's message says what was expected,
// phrased to follow "expected " (e.g. "an existing file").
Result<std::filesystem::path> resolve_matrix_path(const std::filesystem::path& matrix_dir,
                                                  std::string_view written, PathKind kind);

}  // namespace aotc
