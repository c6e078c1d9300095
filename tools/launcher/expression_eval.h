// Build-time evaluation of launch-rule expressions whose symbols are known then (literals and the
// variant's define macros), e.g. to check a step's block size against the code object's maximum
// work-group size before anything runs. Same semantics as the generated C++ (expression_cpp.h):
// int64 arithmetic, C division (truncating), ceil_div rounding up, overflow and division by zero
// are errors.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/result.h"
#include "launcher/launch_expression.h"

namespace aotc::launcher {

// Returns the symbol's value, or nullopt when it is only known at launch time.
using SymbolValues = std::function<std::optional<std::int64_t>(const Symbol&)>;

// Booleans evaluate to 0 or 1. Errors name the problem and the expression's text; an expression
// reading a launch-time symbol is an error saying which symbol.
Result<std::int64_t> evaluate_expression(const Expression& expression, const SymbolValues& values);

// What an expression is certain to hit whatever its symbols' values, found at build time: a
// part made only of literals that overflows or divides by zero ("1 / 0"), or a division by a
// constant zero ("n / (2 - 2)"). Operands that && and || may skip are not judged. Nullopt when
// no such failure exists.
std::optional<std::string> certain_failure(const Expression& expression);

}  // namespace aotc::launcher
