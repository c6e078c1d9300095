#include "launcher/expression_cpp.h"

#include "matrix/cpp_names.h"

namespace aotc::launcher {
namespace {

// C++ spelling of each operator: checked helpers for arithmetic, plain operators otherwise.
struct OpSpelling {
  ExprOp op;
  const char* helper;  // "e.add": emitted as helper(a, b)
  const char* infix;   // "<": emitted as (a < b)
};

constexpr OpSpelling k_spellings[] = {
    {ExprOp::negate, "e.negate", nullptr},
    {ExprOp::logical_not, nullptr, "!"},
    {ExprOp::add, "e.add", nullptr},
    {ExprOp::subtract, "e.subtract", nullptr},
    {ExprOp::multiply, "e.multiply", nullptr},
    {ExprOp::divide, "e.divide", nullptr},
    {ExprOp::modulo, "e.modulo", nullptr},
    {ExprOp::min, "e.min", nullptr},
    {ExprOp::max, "e.max", nullptr},
    {ExprOp::ceil_div, "e.ceil_div", nullptr},
    {ExprOp::less, nullptr, "<"},
    {ExprOp::less_equal, nullptr, "<="},
    {ExprOp::greater, nullptr, ">"},
    {ExprOp::greater_equal, nullptr, ">="},
    {ExprOp::equal, nullptr, "=="},
    {ExprOp::not_equal, nullptr, "!="},
    {ExprOp::logical_and, nullptr, "&&"},
    {ExprOp::logical_or, nullptr, "||"},
};

const OpSpelling& spelling(ExprOp op) {
  for (const OpSpelling& s : k_spellings) {
    if (s.op == op) return s;
  }
  return k_spellings[0];  // unreachable: every operator other than literal/symbol is listed
}

std::string emit(const ExprNode& node, const SymbolEmitter& symbol_cpp) {
  if (node.op == ExprOp::literal) return "std::int64_t{" + cpp_int64_literal(node.literal) + "}";
  if (node.op == ExprOp::symbol) return symbol_cpp(node.symbol);
  const OpSpelling& s = spelling(node.op);
  std::vector<std::string> operands;
  for (const ExprNode& operand : node.operands) operands.push_back(emit(operand, symbol_cpp));
  if (s.helper != nullptr) {
    std::string out = std::string(s.helper) + "(" + operands[0];
    for (std::size_t i = 1; i < operands.size(); ++i) out += ", " + operands[i];
    return out + ")";
  }
  if (operands.size() == 1) return "(" + std::string(s.infix) + operands[0] + ")";
  return "(" + operands[0] + " " + s.infix + " " + operands[1] + ")";
}

}  // namespace

std::string expression_to_cpp(const Expression& expression, const SymbolEmitter& symbol_cpp) {
  return emit(expression.root, symbol_cpp);
}

}  // namespace aotc::launcher
