// Format strings that turn an axis value into a label or a macro value: literal text with
// placeholders `{i}` (element i of the value; 0 for scalars) and `{i:upper}` (upper-cased).
// Braces have no other meaning and no escape: a stray '{' or '}' is an error.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aotc {

class ValueFormat {
 public:
  // Nothing when `text` is not a valid format or a placeholder index is >= arity.
  static std::optional<ValueFormat> parse(std::string_view text, std::size_t arity);

  // `elements` must hold at least `arity` entries (value_elements() gives them).
  std::string render(const std::vector<std::string>& elements) const;

  // The format with every placeholder replaced by "0": checks the literal text against a rule
  // (no value renders to something with a leading '-' or other characters a rule rejects).
  std::string render_sample() const;

 private:
  struct Piece {
    std::string literal;               // text before the placeholder
    std::optional<std::size_t> index;  // none for the trailing literal
    bool upper = false;
  };
  std::vector<Piece> pieces_;
};

// The printable elements of an axis value: a scalar is one element (integers in decimal), an
// integer tuple one per integer.
std::vector<std::string> value_elements(const nlohmann::json& value);

}  // namespace aotc
