// A kernel family's launch rule (kernels[i].launch, docs/DESIGN.md "Launch rules"), validated:
// typed params, named values, the workspace size and the steps (entry, grid, block, shared
// bytes, optional condition, argument list), every expression parsed and every identifier
// resolved. Any expression may be written per vendor ({"amd": "...", "nvidia": "..."}); each is
// then checked on its own. Validation reports every problem at once, one line each, each naming
// the JSON path.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/vendor.h"
#include "launcher/c_types.h"
#include "launcher/launch_expression.h"
#include "matrix/matrix.h"

namespace aotc::launcher {

// One expression field of the rule: the same expression for every vendor, or one per vendor.
// A vendor the kernel is not built for may have none.
struct RuleExpression {
  std::optional<Expression> common;  // written as a string or integer
  std::array<std::optional<Expression>, k_vendors.size()> by_vendor;  // written as an object

  bool per_vendor() const { return !common.has_value(); }
  // The expression evaluated on `vendor`'s devices; nullptr when the rule gives none.
  const Expression* for_vendor(Vendor vendor) const;
  // Every expression written (the common one, or each vendor's), for checks over all of them.
  std::vector<const Expression*> all() const;
};

RuleExpression common_expression(Expression expression);

struct LaunchParam {
  std::string name;
  CType type;
};

struct LaunchValue {
  std::string name;
  RuleExpression expression;
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
  std::string entry;                   // one of the kernel's entries
  std::array<RuleExpression, 3> grid;  // missing trailing dimensions are 1
  std::array<RuleExpression, 3> block;
  // A Triton kernel's step without "block": num_warps (from the compile) * device.warp_size
  // threads, and `block` holds 1s.
  bool triton_block = false;
  RuleExpression shared_bytes;         // "0" when absent
  std::optional<RuleExpression> when;  // boolean; absent: always run
  // The step's kernel may start before the kernel launched before it on the stream ends
  // (AOTC_LAUNCH_OVERLAP_PREVIOUS); it waits for that kernel in-kernel. Absent: false.
  bool overlap_previous = false;
  std::vector<StepArg> args;
};

struct LaunchRule {
  std::vector<LaunchParam> params;
  std::vector<LaunchValue> values;  // in dependency order: each reads only earlier ones
  std::optional<RuleExpression> workspace_bytes;
  std::vector<LaunchStep> steps;
  std::vector<std::string> defines;  // define macros that expressions or args read
  bool passes_workspace = false;     // some step passes `workspace`

  // Every expression of the rule, each vendor's included.
  std::vector<const Expression*> expressions() const;
  // True when some expression reads a device.* attribute: launching then asks the driver.
  bool reads_device() const;
  // True when some expression is written per vendor: evaluating it needs the device's vendor.
  bool per_vendor() const;
};

// The identifiers `device.<name>` may name, in the order aotc_device_info lists them.
const std::vector<std::string>& device_attributes();

// The vendors `kernel` is built for (its targets, else the matrix's), each once, in k_vendors
// order; targets of no known vendor are left out (the build reports them).
std::vector<Vendor> kernel_vendors(const Matrix& matrix, const KernelSpec& kernel);

// Validates `launch` for `kernel`, which is built for targets of `vendors`: a per-vendor
// expression must give one for each of them. `where` locates the kernel object for messages,
// e.g. "build-matrix.json: kernels[0]"; errors then read
// "build-matrix.json: kernels[0].launch.steps[1].grid[0]: unknown identifier 'n' at column 1 in
// \"n\"", or "...steps[0].shared_bytes.nvidia: ..." inside a per-vendor object.
Result<LaunchRule> validate_launch_rule(const nlohmann::json& launch, const KernelSpec& kernel,
                                        const std::vector<Vendor>& vendors, std::string_view where);

// Per kernel of a matrix, its validated launch rule; nullopt for a kernel without one.
using LaunchRules = std::vector<std::optional<LaunchRule>>;

// Validates every kernel's launch rule once (the build does it before anything compiles, and the
// launcher generator takes the result): errors of every kernel at once, each located at
// "<matrix file name>: kernels[k]".
Result<LaunchRules> validate_launch_rules(const Matrix& matrix);

}  // namespace aotc::launcher
