#include "launcher/expression_eval.h"

#include <algorithm>
#include <limits>
#include <string>

namespace aotc::launcher {
namespace {

class Evaluator {
 public:
  explicit Evaluator(const SymbolValues& values) : values_(values) {}

  std::optional<std::int64_t> eval(const ExprNode& node) {
    if (node.op == ExprOp::literal) return node.literal;
    if (node.op == ExprOp::symbol) {
      std::optional<std::int64_t> v = values_(node.symbol);
      if (!v) problem_ = "'" + node.symbol.name + "' is only known at launch time";
      return v;
    }
    std::optional<std::int64_t> a = eval(node.operands[0]);
    if (!a) return std::nullopt;
    // && and || short-circuit, as in the generated C++.
    if (node.op == ExprOp::logical_and && *a == 0) return 0;
    if (node.op == ExprOp::logical_or && *a != 0) return 1;
    if (node.op == ExprOp::negate) return checked(__builtin_sub_overflow(0, *a, &result_));
    if (node.op == ExprOp::logical_not) return *a == 0 ? 1 : 0;
    std::optional<std::int64_t> b = eval(node.operands[1]);
    if (!b) return std::nullopt;
    return binary(node.op, *a, *b);
  }

  const std::string& problem() const { return problem_; }

 private:
  std::optional<std::int64_t> checked(bool overflowed) {
    if (overflowed) {
      problem_ = "integer overflow";
      return std::nullopt;
    }
    return result_;
  }

  std::optional<std::int64_t> binary(ExprOp op, std::int64_t a, std::int64_t b) {
    switch (op) {
      case ExprOp::add:
        return checked(__builtin_add_overflow(a, b, &result_));
      case ExprOp::subtract:
        return checked(__builtin_sub_overflow(a, b, &result_));
      case ExprOp::multiply:
        return checked(__builtin_mul_overflow(a, b, &result_));
      case ExprOp::divide:
      case ExprOp::modulo:
      case ExprOp::ceil_div: {
        if (b == 0) {
          problem_ = "division by zero";
          return std::nullopt;
        }
        if (a == std::numeric_limits<std::int64_t>::min() && b == -1) return checked(true);
        if (op == ExprOp::modulo) return a % b;
        const bool round_up = op == ExprOp::ceil_div && a % b != 0 && ((a < 0) == (b < 0));
        return a / b + (round_up ? 1 : 0);
      }
      case ExprOp::min:
        return std::min(a, b);
      case ExprOp::max:
        return std::max(a, b);
      case ExprOp::less:
        return a < b;
      case ExprOp::less_equal:
        return a <= b;
      case ExprOp::greater:
        return a > b;
      case ExprOp::greater_equal:
        return a >= b;
      case ExprOp::equal:
        return a == b;
      case ExprOp::not_equal:
        return a != b;
      case ExprOp::logical_and:
        return b != 0;  // a was true
      case ExprOp::logical_or:
        return b != 0;  // a was false
      default:
        return a;  // unary ops, literals and symbols are handled by eval()
    }
  }

  const SymbolValues& values_;
  std::int64_t result_ = 0;
  std::string problem_;
};

// Build time knows no symbol's value.
const SymbolValues k_no_symbols = [](const Symbol&) -> std::optional<std::int64_t> {
  return std::nullopt;
};

bool is_constant(const ExprNode& node) {
  if (node.op == ExprOp::symbol) return false;
  return std::all_of(node.operands.begin(), node.operands.end(), is_constant);
}

bool is_division(ExprOp op) {
  return op == ExprOp::divide || op == ExprOp::modulo || op == ExprOp::ceil_div;
}

std::optional<std::string> failure_in(const ExprNode& node) {
  if (is_constant(node)) {
    Evaluator evaluator(k_no_symbols);
    if (evaluator.eval(node)) return std::nullopt;
    return evaluator.problem();
  }
  if (is_division(node.op) && is_constant(node.operands[1])) {
    Evaluator evaluator(k_no_symbols);
    if (evaluator.eval(node.operands[1]) == 0) return std::string("division by zero");
  }
  // The right operand of && and || runs only for some values of the left one.
  const bool short_circuit = node.op == ExprOp::logical_and || node.op == ExprOp::logical_or;
  const std::size_t judged = short_circuit ? 1 : node.operands.size();
  for (std::size_t i = 0; i < judged; ++i) {
    if (auto problem = failure_in(node.operands[i])) return problem;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> certain_failure(const Expression& expression) {
  if (auto problem = failure_in(expression.root)) {
    return *problem + " in \"" + expression.text + "\"";
  }
  return std::nullopt;
}

Result<std::int64_t> evaluate_expression(const Expression& expression, const SymbolValues& values) {
  Evaluator evaluator(values);
  std::optional<std::int64_t> v = evaluator.eval(expression.root);
  if (!v) return make_error(evaluator.problem() + " in \"" + expression.text + "\"");
  return *v;
}

}  // namespace aotc::launcher
