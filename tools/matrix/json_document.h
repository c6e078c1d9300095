// Parsing JSON text strictly enough for a build matrix: syntax errors report `file:line:column`,
// and a key repeated within one object is an error (nlohmann keeps the last silently, which would
// hide e.g. a second "exclude" list). Object key order is kept (axis order makes variant names).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.h"

namespace aotc {

// What a document may hold, checked on the text before nlohmann parses it: nlohmann's copies,
// comparisons and serialisation recurse once per nesting level, and its ordered objects find a
// key by walking the object, so deep nesting or huge objects would cost a stack overflow or
// quadratic time. Build matrices and manifests nest fewer than 10 levels and hold a few dozen keys
// per object.
inline constexpr std::size_t kMaxJsonDepth = 64;
inline constexpr std::size_t kMaxJsonObjectKeys = 256;

// `file` only names the document in messages.
Result<nlohmann::ordered_json> parse_json_document(std::string_view text, std::string_view file);

// 1-based line and column of the byte at `offset` (0-based), counting columns in bytes.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition text_position(std::string_view text, std::size_t offset);

}  // namespace aotc
