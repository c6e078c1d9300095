// Tokens of launch-rule expressions ("min(max(1, ceil_div(n, 512)), device.multiprocessor_count)").
// Identifiers may contain dots so `device.warp_size` is one token; whether a name is allowed is
// the parser's business, not the lexer's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aotc::launcher {

enum class TokenKind { integer, identifier, op, lparen, rparen, comma, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;        // as written ("ceil_div", "<=", "512")
  std::int64_t value = 0;  // for integers
  std::size_t column = 0;  // 1-based, for messages
};

// Splits an expression into tokens ending with TokenKind::end. Errors name the column and the
// offending character or literal.
Result<std::vector<Token>> tokenize_expression(std::string_view text);

}  // namespace aotc::launcher
