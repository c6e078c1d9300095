// Launch-rule expressions: parsed once at build time into a small typed tree whose identifiers are
// already resolved (param, value, define macro, device attribute), then emitted as C++ for the
// generated launcher (expression_cpp.h) or evaluated at build time where everything is constant
// (expression_eval.h). Grammar, lowest precedence first, as in C:
//   or  := and ('||' and)*        and := eq ('&&' eq)*          eq  := rel (('=='|'!=') rel)*
//   rel := add (('<'|'<='|'>'|'>=') add)*   add := mul (('+'|'-') mul)*
//   mul := unary (('*'|'/'|'%') unary)*     unary := ('-'|'!') unary | primary
//   primary := integer | name | ('min'|'max'|'ceil_div') '(' or ',' or ')' | '(' or ')'
// Values are int64; comparisons and && || ! give booleans, which arithmetic does not accept.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aotc::launcher {

enum class SymbolKind { param, value, define, device };

struct Symbol {
  SymbolKind kind = SymbolKind::param;
  std::string name;  // "num_seqs", "num_partitions", "PA_HEAD_DIM", "multiprocessor_count"
  friend bool operator==(const Symbol&, const Symbol&) = default;
};

enum class ExprType { integer, boolean };

enum class ExprOp {
  literal,
  symbol,
  negate,
  logical_not,
  add,
  subtract,
  multiply,
  divide,
  modulo,
  less,
  less_equal,
  greater,
  greater_equal,
  equal,
  not_equal,
  logical_and,
  logical_or,
  min,
  max,
  ceil_div,
};

struct ExprNode {
  ExprOp op = ExprOp::literal;
  ExprType type = ExprType::integer;
  std::int64_t literal = 0;        // ExprOp::literal
  Symbol symbol;                   // ExprOp::symbol
  std::vector<ExprNode> operands;  // one for unary ops, two otherwise
};

struct Expression {
  std::string text;  // as written in the rule, for messages and generated comments
  ExprNode root;

  ExprType type() const { return root.type; }
  // Every symbol the expression reads, in first-use order, without repeats.
  std::vector<Symbol> symbols() const;
};

// Maps an identifier to a symbol, or explains why it is not allowed (the parser adds the column).
using SymbolResolver = std::function<Result<Symbol>(std::string_view name)>;

// Parses and type-checks `text`. Errors read `<problem> at column N in "<text>"`, e.g.
// `unknown identifier 'num_partition' at column 10 in "ceil_div(num_partition, 2)"`.
Result<Expression> parse_expression(std::string_view text, const SymbolResolver& resolve);

// An expression for a plain integer constant (JSON numbers in grid/block lists).
Expression integer_expression(std::int64_t value);

}  // namespace aotc::launcher
