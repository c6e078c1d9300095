// A kernel family's launch rule (kernels[i].launch, docs/DESIGN.md "Launch rules"), validated:
// typed params, named values, the workspace size and the steps (entry, grid, block, shared
// bytes, optional condition, argument list), every expression parsed and every identifier
// resolved. Validation reports every problem at once, one line each, each naming the JSON path.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "launcher/c_types.h"
#include "launcher/launch_expression.h"
#include "matrix/matrix.h"

namespace aotc::launcher {

struct LaunchParam {
  std::string name;
  CType type;
};

struct LaunchValue {
  std::string name;
  Expression expression;
};

// What a step passes as one kernel argument.
enum class StepArgKind {
  param,  // a param, with its declared C type
  value,  // a value or define macro: an integer whose width comes from the code object
  define,
  workspace,  // the caller's workspace pointer (Args::workspace)
};

struct StepArg {
  StepArgKind kind = StepArgKind::param;
  std::string name;
  std::size_t param_index = 0;  // StepArgKind::param only
};

struct LaunchStep {
  std::string entry;               // one of the kernel's entries
  std::array<Expression, 3> grid;  // missing trailing dimensions are 1
  std::array<Expression, 3> block;
  Expression shared_bytes;         // "0" when absent
  std::optional<Expression> when;  // boolean; absent: always run
  std::vector<StepArg> args;
};

struct LaunchRule {
  std::vector<LaunchParam> params;
  std::vector<LaunchValue> values;  // in dependency order: each reads only earlier ones
  std::optional<Expression> workspace_bytes;
  std::vector<LaunchStep> steps;
  std::vector<std::string> defines;  // define macros that expressions or args read
  bool passes_workspace = false;     // some step passes `workspace`
};

// The identifiers `device.<name>` may name, in the order aotc_device_info lists them.
const std::vector<std::string>& device_attributes();

// Validates `launch` for `kernel`. `where` locates the kernel object for messages, e.g.
// "build-matrix.json: kernels[0]"; errors then read
// "build-matrix.json: kernels[0].launch.steps[1].grid[0]: unknown identifier 'n' at column 1 in
// \"n\"".
Result<LaunchRule> validate_launch_rule(const nlohmann::json& launch, const KernelSpec& kernel,
                                        std::string_view where);

}  // namespace aotc::launcher
