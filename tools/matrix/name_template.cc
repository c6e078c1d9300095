#include "matrix/name_template.h"

#include "matrix/name_rules.h"

namespace aotc {

std::optional<NameTemplate> NameTemplate::parse(std::string_view text) {
  NameTemplate result;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') return std::nullopt;
    if (text[i] != '{') {
      literal += text[i];
      continue;
    }
    std::size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view name = text.substr(i + 1, close - i - 1);
    if (!is_c_identifier(name)) return std::nullopt;
    result.pieces_.push_back({std::move(literal), std::string(name)});
    literal.clear();
    i = close;
  }
  result.pieces_.push_back({std::move(literal), {}});
  return result;
}

std::vector<std::string> NameTemplate::names() const {
  std::vector<std::string> names;
  for (const auto& piece : pieces_) {
    if (!piece.name.empty()) names.push_back(piece.name);
  }
  return names;
}

Result<std::string> NameTemplate::render(
    const std::function<Result<std::string>(const std::string&)>& lookup) const {
  std::string out;
  for (const auto& piece : pieces_) {
    out += piece.literal;
    if (piece.name.empty()) continue;
    auto value = lookup(piece.name);
    if (!value) return value.error();
    out += *value;
  }
  return out;
}

}  // namespace aotc
