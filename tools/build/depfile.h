// Reading the make-syntax dependency file clang writes (-dependency-file): "out: a.hip b.h \".
// The cache learns a compile's include closure from it (ccache's "depend mode").
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aotc {

// The prerequisites of the first rule, in order, without duplicates. Handles backslash-newline
// continuations, `\ ` and `\#` escapes and `$$`. Relative paths are returned as written.
Result<std::vector<std::filesystem::path>> parse_depfile(std::string_view text);

// The text of a dependency file with one rule, `target: prerequisites`, in the syntax above (what
// Ninja's `deps = gcc` and CMake's DEPFILE read): spaces, '#' and '$' escaped, one
// prerequisite per continued line.
std::string format_depfile(const std::filesystem::path& target,
                           const std::vector<std::filesystem::path>& prerequisites);

}  // namespace aotc
