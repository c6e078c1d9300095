// Text with {NAME} placeholders, as Triton kernels write signatures, options and derived values
// (docs/MATRIX.md): `*{DTYPE}:16` with DTYPE a define macro of an axis or a derived value.
// NAME is a C identifier; braces have no other meaning and no escape, so a stray '{' or '}' is an
// error, as in axis format strings.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aotc {

class NameTemplate {
 public:
  // Nothing when `text` has a stray brace or a placeholder that is not a C identifier.
  static std::optional<NameTemplate> parse(std::string_view text);

  // The placeholder names, in order of appearance (repeats kept).
  std::vector<std::string> names() const;

  // The text with each placeholder replaced by lookup(name); the first lookup error is returned.
  Result<std::string> render(
      const std::function<Result<std::string>(const std::string&)>& lookup) const;

 private:
  struct Piece {
    std::string literal;  // text before the placeholder
    std::string name;     // empty for the trailing literal
  };
  std::vector<Piece> pieces_;
};

}  // namespace aotc
