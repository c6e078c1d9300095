#include "launcher/expression_lexer.h"

#include <array>
#include <cctype>
#include <charconv>

namespace aotc::launcher {
namespace {

// Longest first, so "<=" is not read as "<" then "=".
constexpr std::array<std::string_view, 15> k_operators{"&&", "||", "<=", ">=", "==", "!=", "<", ">",
                                                       "+",  "-",  "*",  "/",  "%",  "!",  ","};

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string at(std::size_t column) { return " at column " + std::to_string(column); }

}  // namespace

Result<std::vector<Token>> tokenize_expression(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const std::size_t column = i + 1;
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t end = i;
      while (end < text.size() && is_identifier_char(text[end])) ++end;
      const std::string_view literal = text.substr(i, end - i);
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
      if (ec == std::errc::result_out_of_range) {
        return make_error("integer literal '" + std::string(literal) + "' does not fit in int64" +
                          at(column));
      }
      if (ec != std::errc() || ptr != literal.data() + literal.size()) {
        return make_error("malformed integer literal '" + std::string(literal) +
                          "' (decimal digits only)" + at(column));
      }
      tokens.push_back({TokenKind::integer, std::string(literal), value, column});
      i = end;
      continue;
    }
    if (is_identifier_start(c)) {
      std::size_t end = i;
      // A dot continues an identifier only when followed by an identifier start: "device.x".
      while (end < text.size() &&
             (is_identifier_char(text[end]) ||
              (text[end] == '.' && end + 1 < text.size() && is_identifier_start(text[end + 1])))) {
        ++end;
      }
      tokens.push_back({TokenKind::identifier, std::string(text.substr(i, end - i)), 0, column});
      i = end;
      continue;
    }
    if (c == '(' || c == ')') {
      tokens.push_back(
          {c == '(' ? TokenKind::lparen : TokenKind::rparen, std::string(1, c), 0, column});
      ++i;
      continue;
    }
    bool matched = false;
    for (std::string_view op : k_operators) {
      if (text.substr(i, op.size()) == op) {
        tokens.push_back(
            {op == "," ? TokenKind::comma : TokenKind::op, std::string(op), 0, column});
        i += op.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      return make_error("unexpected character '" + std::string(1, c) + "'" + at(column));
    }
  }
  tokens.push_back({TokenKind::end, "", 0, text.size() + 1});
  return tokens;
}

}  // namespace aotc::launcher
