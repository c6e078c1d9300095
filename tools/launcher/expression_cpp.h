// Launch-rule expressions as C++ for the generated launcher. Arithmetic goes through the checked
// helpers of aotc::gen::detail::Eval (launcher_support.h), reached as `e.` in the generated
// function, so overflow and division by zero become an error status, never undefined behaviour;
// the semantics match evaluate_expression (expression_eval.h) exactly.
#pragma once

#include <functional>
#include <string>

#include "launcher/launch_expression.h"

namespace aotc::launcher {

// symbol_cpp gives the C++ for one symbol as an std::int64_t (e.g. "a.num_seqs" cast, "v.x").
using SymbolEmitter = std::function<std::string(const Symbol&)>;

std::string expression_to_cpp(const Expression& expression, const SymbolEmitter& symbol_cpp);

}  // namespace aotc::launcher
