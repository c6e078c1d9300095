#include "matrix/value_format.h"

#include <algorithm>

namespace aotc {

std::optional<ValueFormat> ValueFormat::parse(std::string_view text, std::size_t arity) {
  ValueFormat format;
  Piece piece;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '}') return std::nullopt;
    if (c != '{') {
      piece.literal += c;
      ++i;
      continue;
    }
    std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inside = text.substr(i + 1, close - i - 1);
    if (inside.ends_with(":upper")) {
      piece.upper = true;
      inside.remove_suffix(6);
    }
    // At most two digits: arity is small, and this keeps the index from overflowing.
    if (inside.empty() || inside.size() > 2 ||
        !std::all_of(inside.begin(), inside.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      return std::nullopt;
    }
    std::size_t index = std::stoul(std::string(inside));
    if (index >= arity) return std::nullopt;
    piece.index = index;
    format.pieces_.push_back(std::move(piece));
    piece = Piece{};
    i = close + 1;
  }
  format.pieces_.push_back(std::move(piece));
  return format;
}

std::string ValueFormat::render(const std::vector<std::string>& elements) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    out += piece.literal;
    if (!piece.index) continue;
    std::string element = elements.at(*piece.index);
    if (piece.upper) {
      // ASCII only, whatever the locale: names must not depend on the machine.
      for (char& ch : element) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      }
    }
    out += element;
  }
  return out;
}

std::string ValueFormat::render_sample() const {
  std::size_t needed = 0;
  for (const Piece& piece : pieces_) {
    if (piece.index) needed = std::max(needed, *piece.index + 1);
  }
  return render(std::vector<std::string>(needed, "0"));
}

std::vector<std::string> value_elements(const nlohmann::json& value) {
  if (value.is_string()) return {value.get<std::string>()};
  if (value.is_array()) {
    std::vector<std::string> elements;
    for (const auto& element : value) elements.push_back(element.dump());
    return elements;
  }
  return {value.dump()};
}

}  // namespace aotc
