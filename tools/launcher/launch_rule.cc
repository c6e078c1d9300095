#include "launcher/launch_rule.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/error_list.h"
#include "launcher/expression_eval.h"
#include "matrix/cpp_names.h"
#include "matrix/name_rules.h"

namespace aotc::launcher {
namespace {

// Names the generated launcher uses itself (Args::workspace, device.*, the functions).
const std::set<std::string, std::less<>> k_reserved{"workspace", "device", "min", "max",
                                                    "ceil_div"};

const std::set<std::string, std::less<>> k_rule_keys{"params", "values", "workspace_bytes",
                                                     "steps"};
const std::set<std::string, std::less<>> k_step_keys{
    "entry", "grid", "block", "shared_bytes", "when", "overlap_previous", "args"};

// Rules name a handful of params and steps; far larger lists are mistakes or attacks, and every
// error message lists the known names, so unbounded lists would cost quadratic time and text.
constexpr std::size_t k_max_params = 256;
constexpr std::size_t k_max_steps = 64;
constexpr std::size_t k_max_step_args = 256;
constexpr std::size_t k_max_errors = 50;

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(sep)) + item;
  return out;
}

template <class Vendors>
std::string vendor_list(const Vendors& vendors) {
  std::vector<std::string> names;
  for (Vendor v : vendors) names.emplace_back(vendor_name(v));
  return join(names, ", ");
}

class RuleValidator {
 public:
  RuleValidator(const KernelSpec& kernel, const std::vector<Vendor>& vendors,
                std::string_view where)
      : kernel_(kernel),
        vendors_(vendors),
        where_(std::string(where) + ".launch"),
        errors_(k_max_errors, where_ + ": ") {
    for (const Axis& axis : kernel.axes) {
      for (const auto& [macro, format] : axis.define_formats) define_names_.insert(macro);
    }
  }

  Result<LaunchRule> run(const nlohmann::json& launch) {
    if (!launch.is_object()) {
      return make_error(where_ + ": expected an object, found " + std::string(launch.type_name()));
    }
    for (const auto& [key, value] : launch.items()) {
      if (!k_rule_keys.contains(key)) {
        fail("." + key, "unknown key (expected params, values, workspace_bytes, steps)");
      }
    }
    read_params(launch);
    read_values(launch);
    if (launch.contains("workspace_bytes")) {
      rule_.workspace_bytes =
          read_rule_expression(launch["workspace_bytes"], ".workspace_bytes", ExprType::integer);
    }
    read_steps(launch);
    if (rule_.workspace_bytes && !rule_.passes_workspace) {
      fail(".workspace_bytes", "no step passes `workspace` as an argument");
    }
    if (!errors_.empty()) return errors_.status().error();
    for (const std::string& macro : used_defines_) rule_.defines.push_back(macro);
    return std::move(rule_);
  }

 private:
  void fail(const std::string& path, const std::string& message) {
    errors_.add(where_ + path + ": " + message);
  }

  // Checks a name the rule introduces (param or value) against everything already named.
  bool check_new_name(const std::string& path, const std::string& name) {
    if (!is_c_identifier(name)) {
      fail(path, "'" + name + "' is not a C identifier");
    } else if (auto problem = cpp_name_problem(name)) {
      fail(path, "'" + name + "' is reserved: " + *problem);
    } else if (k_reserved.contains(name)) {
      fail(path, "'" + name + "' is reserved (one of workspace, device, min, max, ceil_div)");
    } else if (define_names_.contains(name)) {
      fail(path, "'" + name + "' is already a define macro of the kernel's axes");
    } else if (!names_.insert(name).second) {
      fail(path, "'" + name + "' is declared twice");
    } else {
      return true;
    }
    return false;
  }

  void read_params(const nlohmann::json& launch) {
    if (!launch.contains("params")) return;
    const nlohmann::json& params = launch["params"];
    if (!params.is_array() || params.size() > k_max_params) {
      fail(".params", "expected an array of at most " + std::to_string(k_max_params) +
                          " {\"name\", \"type\"} objects");
      return;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::string path = ".params[" + std::to_string(i) + "]";
      const nlohmann::json& p = params[i];
      if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("type") ||
          !p["type"].is_string() || p.size() != 2) {
        fail(path, "expected {\"name\": string, \"type\": string}, found " + p.dump());
        continue;
      }
      const std::string name = p["name"].get<std::string>();
      std::optional<CType> type = parse_c_type(p["type"].get<std::string>());
      if (!type) {
        fail(path + ".type", "type '" + p["type"].get<std::string>() +
                                 "' is not allowed (allowed: " + allowed_c_types() + ")");
        continue;
      }
      if (check_new_name(path + ".name", name)) rule_.params.push_back({name, *type});
    }
  }

  void read_values(const nlohmann::json& launch) {
    if (!launch.contains("values")) return;
    const nlohmann::json& values = launch["values"];
    if (!values.is_object()) {
      fail(".values", "expected an object of name -> expression");
      return;
    }
    for (const auto& [name, text] : values.items()) {
      if (check_new_name(".values." + name, name)) value_names_.insert(name);
    }
    std::map<std::string, RuleExpression> parsed;
    for (const auto& [name, text] : values.items()) {
      if (!value_names_.contains(name)) continue;
      std::optional<RuleExpression> e =
          read_rule_expression(text, ".values." + name, ExprType::integer);
      if (e) parsed.emplace(name, std::move(*e));
    }
    order_values(parsed);
  }

  // Orders values so each reads only values before it (depth-first topological sort; a value
  // written per vendor depends on what any vendor's expression reads).
  void order_values(std::map<std::string, RuleExpression>& parsed) {
    std::map<std::string, int> state;  // 0 unseen, 1 in progress, 2 done
    std::vector<std::string> stack;
    std::function<bool(const std::string&)> visit = [&](const std::string& name) -> bool {
      auto it = parsed.find(name);
      if (it == parsed.end() || state[name] == 2) return true;
      if (state[name] == 1) {
        auto from = std::find(stack.begin(), stack.end(), name);
        std::vector<std::string> cycle(from, stack.end());
        cycle.push_back(name);
        fail(".values." + name, "values depend on each other in a cycle: " + join(cycle, " -> "));
        return false;
      }
      state[name] = 1;
      stack.push_back(name);
      for (const Expression* e : it->second.all()) {
        for (const Symbol& s : e->symbols()) {
          if (s.kind == SymbolKind::value && !visit(s.name)) return false;
        }
      }
      stack.pop_back();
      state[name] = 2;
      rule_.values.push_back({name, it->second});
      return true;
    };
    for (const auto& [name, expression] : parsed) {
      if (!visit(name)) return;
    }
  }

  void read_steps(const nlohmann::json& launch) {
    if (!launch.contains("steps") || !launch["steps"].is_array() || launch["steps"].empty() ||
        launch["steps"].size() > k_max_steps) {
      fail(".steps",
           "expected a non-empty array of at most " + std::to_string(k_max_steps) + " steps");
      return;
    }
    const nlohmann::json& steps = launch["steps"];
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string path = ".steps[" + std::to_string(i) + "]";
      if (!steps[i].is_object()) {
        fail(path, "expected an object");
        continue;
      }
      rule_.steps.push_back(read_step(steps[i], path));
    }
  }

  LaunchStep read_step(const nlohmann::json& step, const std::string& path) {
    LaunchStep out;
    for (const auto& [key, value] : step.items()) {
      if (!k_step_keys.contains(key)) {
        fail(path + "." + key,
             "unknown key (expected entry, grid, block, shared_bytes, when, overlap_previous, "
             "args)");
      }
    }
    if (!step.contains("entry") || !step["entry"].is_string()) {
      fail(path + ".entry", "expected the entry's name (a string)");
    } else {
      out.entry = step["entry"].get<std::string>();
      if (std::find(kernel_.entries.begin(), kernel_.entries.end(), out.entry) ==
          kernel_.entries.end()) {
        fail(path + ".entry", "'" + out.entry + "' is not one of the kernel's entries (" +
                                  join(kernel_.entries, ", ") + ")");
      }
    }
    out.grid = read_dims(step, path, "grid");
    // A Triton kernel runs num_warps warps per program, a number its compile fixed: without a
    // "block", the launcher launches num_warps * device.warp_size threads.
    out.triton_block = kernel_.language == KernelLanguage::triton && !step.contains("block");
    if (out.triton_block) {
      for (auto& dim : out.block) dim = common_expression(integer_expression(1));
    } else {
      out.block = read_dims(step, path, "block");
    }
    out.shared_bytes = common_expression(integer_expression(0));
    if (step.contains("shared_bytes")) {
      if (auto e = read_rule_expression(step["shared_bytes"], path + ".shared_bytes",
                                        ExprType::integer)) {
        out.shared_bytes = std::move(*e);
      }
    }
    if (step.contains("when")) {
      out.when = read_rule_expression(step["when"], path + ".when", ExprType::boolean);
    }
    if (step.contains("overlap_previous")) {
      if (!step["overlap_previous"].is_boolean()) {
        fail(path + ".overlap_previous", "expected true or false");
      } else {
        out.overlap_previous = step["overlap_previous"].get<bool>();
      }
    }
    read_step_args(step, path, out);
    return out;
  }

  std::array<RuleExpression, 3> read_dims(const nlohmann::json& step, const std::string& path,
                                          const char* key) {
    std::array<RuleExpression, 3> dims{common_expression(integer_expression(1)),
                                       common_expression(integer_expression(1)),
                                       common_expression(integer_expression(1))};
    const std::string dims_path = path + "." + key;
    if (!step.contains(key) || !step[key].is_array() || step[key].empty() || step[key].size() > 3) {
      fail(dims_path, "expected an array of 1 to 3 dimensions (integers or expressions)");
      return dims;
    }
    for (std::size_t d = 0; d < step[key].size(); ++d) {
      const std::string item_path = dims_path + "[" + std::to_string(d) + "]";
      if (auto e = read_rule_expression(step[key][d], item_path, ExprType::integer, true)) {
        dims[d] = std::move(*e);
      }
    }
    return dims;
  }

  void read_step_args(const nlohmann::json& step, const std::string& path, LaunchStep& out) {
    if (!step.contains("args") || !step["args"].is_array() ||
        step["args"].size() > k_max_step_args) {
      fail(path + ".args",
           "expected an array of at most " + std::to_string(k_max_step_args) + " argument names");
      return;
    }
    const nlohmann::json& args = step["args"];
    for (std::size_t a = 0; a < args.size(); ++a) {
      const std::string arg_path = path + ".args[" + std::to_string(a) + "]";
      if (!args[a].is_string()) {
        fail(arg_path, "expected a name, found " + args[a].dump());
        continue;
      }
      const std::string name = args[a].get<std::string>();
      StepArg arg{StepArgKind::param, name, 0};
      auto param = std::find_if(rule_.params.begin(), rule_.params.end(),
                                [&](const LaunchParam& p) { return p.name == name; });
      if (param != rule_.params.end()) {
        arg.param_index = static_cast<std::size_t>(param - rule_.params.begin());
      } else if (value_names_.contains(name)) {
        arg.kind = StepArgKind::value;
      } else if (define_names_.contains(name)) {
        arg.kind = StepArgKind::define;
        used_defines_.insert(name);
      } else if (name == "workspace") {
        arg.kind = StepArgKind::workspace;
        rule_.passes_workspace = true;
      } else {
        fail(arg_path, "unknown argument '" + name + "' (" + known_names() + ")");
        continue;
      }
      out.args.push_back(std::move(arg));
    }
  }

  // A JSON integer, an expression string, or an object of them keyed by vendor, of the wanted
  // type; nullopt after reporting. A grid or block `dimension` refuses JSON integers below 1.
  std::optional<RuleExpression> read_rule_expression(const nlohmann::json& item,
                                                     const std::string& path, ExprType want,
                                                     bool dimension = false) {
    if (!item.is_object()) {
      std::optional<Expression> e = read_expression(item, path, want, dimension);
      if (!e) return std::nullopt;
      return common_expression(std::move(*e));
    }
    RuleExpression out;
    bool ok = !item.empty();
    if (item.empty()) {
      fail(path, "expected an expression, or an object of expressions keyed by vendor (" +
                     vendor_list(k_vendors) + "), found {}");
    }
    for (const auto& [key, value] : item.items()) {
      const std::optional<Vendor> vendor = vendor_from_name(key);
      if (!vendor) {
        fail(path + "." + key, "unknown vendor (expected " + vendor_list(k_vendors) + ")");
        ok = false;
        continue;
      }
      std::optional<Expression> e;
      if (value.is_object()) {
        fail(path + "." + key, "expected an integer or an expression string, found an object");
      } else {
        e = read_expression(value, path + "." + key, want, dimension);
      }
      if (!e) ok = false;
      out.by_vendor[static_cast<std::size_t>(*vendor)] = std::move(e);
    }
    for (Vendor vendor : vendors_) {
      if (item.empty() || item.contains(std::string(vendor_name(vendor)))) continue;
      fail(path, "no expression for " + std::string(vendor_name(vendor)) +
                     ", which the kernel is built for (vendors: " + vendor_list(vendors_) + ")");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // A JSON integer or an expression string of the wanted type; nullopt after reporting.
  std::optional<Expression> read_expression(const nlohmann::json& item, const std::string& path,
                                            ExprType want, bool dimension) {
    if (dimension && item.is_number_integer() && item.get<std::int64_t>() < 1) {
      fail(path, "a dimension must be at least 1, found " + item.dump());
      return std::nullopt;
    }
    Result<Expression> e =
        item.is_number_integer() ? Result<Expression>(integer_expression(item.get<std::int64_t>()))
        : item.is_string()
            ? parse_expression(item.get<std::string>(),
                               [this](std::string_view n) { return resolve(n); })
            : Result<Expression>(make_error(
                  "expected an integer, an expression string or an object keyed by vendor, "
                  "found " +
                  item.dump()));
    if (!e) {
      fail(path, e.error().message);
      return std::nullopt;
    }
    if (e->type() != want) {
      fail(path, std::string("expected a ") + (want == ExprType::integer ? "integer" : "boolean") +
                     " expression, found \"" + e->text + "\"");
      return std::nullopt;
    }
    // A part that fails whatever the launch passes would fail every launch: say so now.
    if (std::optional<std::string> problem = certain_failure(*e)) {
      fail(path, *problem + ", which every launch would hit");
      return std::nullopt;
    }
    for (const Symbol& s : e->symbols()) {
      if (s.kind == SymbolKind::define) used_defines_.insert(s.name);
    }
    return std::move(*e);
  }

  Result<Symbol> resolve(std::string_view name) const {
    if (name.starts_with("device.")) {
      const std::string attribute(name.substr(7));
      const auto& attrs = device_attributes();
      if (std::find(attrs.begin(), attrs.end(), attribute) != attrs.end()) {
        return Symbol{SymbolKind::device, attribute};
      }
      return make_error("unknown device attribute '" + std::string(name) + "' (device." +
                        join(attrs, ", device.") + ")");
    }
    for (const LaunchParam& p : rule_.params) {
      if (p.name != name) continue;
      if (!p.type.is_integer()) {
        return make_error("'" + p.name + "' is a " + p.type.spelling +
                          " param; expressions compute with integers only");
      }
      return Symbol{SymbolKind::param, p.name};
    }
    if (value_names_.contains(name)) return Symbol{SymbolKind::value, std::string(name)};
    if (define_names_.contains(name)) return Symbol{SymbolKind::define, std::string(name)};
    if (name == "workspace") {
      return make_error("'workspace' is a pointer; it can only be passed as a step argument");
    }
    return make_error("unknown identifier '" + std::string(name) + "' (" + known_names() + ")");
  }

  std::string known_names() const {
    std::vector<std::string> params, values(value_names_.begin(), value_names_.end()),
        defines(define_names_.begin(), define_names_.end());
    for (const LaunchParam& p : rule_.params) params.push_back(p.name);
    return "params: " + join(params, ", ") + "; values: " + join(values, ", ") +
           "; defines: " + join(defines, ", ") + "; device." +
           join(device_attributes(), ", device.") + "; workspace";
  }

  const KernelSpec& kernel_;
  const std::vector<Vendor>& vendors_;
  std::string where_;
  std::set<std::string, std::less<>> define_names_;
  std::set<std::string, std::less<>> names_;
  std::set<std::string, std::less<>> value_names_;
  std::set<std::string> used_defines_;
  ErrorList errors_;
  LaunchRule rule_;
};

}  // namespace

const std::vector<std::string>& device_attributes() {
  static const std::vector<std::string> k_attributes{"multiprocessor_count", "warp_size",
                                                     "max_shared_per_block"};
  return k_attributes;
}

const Expression* RuleExpression::for_vendor(Vendor vendor) const {
  if (common) return &*common;
  const std::optional<Expression>& e = by_vendor[static_cast<std::size_t>(vendor)];
  return e ? &*e : nullptr;
}

std::vector<const Expression*> RuleExpression::all() const {
  if (common) return {&*common};
  std::vector<const Expression*> out;
  for (const std::optional<Expression>& e : by_vendor) {
    if (e) out.push_back(&*e);
  }
  return out;
}

RuleExpression common_expression(Expression expression) {
  RuleExpression out;
  out.common = std::move(expression);
  return out;
}

std::vector<const Expression*> LaunchRule::expressions() const {
  std::vector<const RuleExpression*> fields;
  for (const LaunchValue& v : values) fields.push_back(&v.expression);
  if (workspace_bytes) fields.push_back(&*workspace_bytes);
  for (const LaunchStep& step : steps) {
    for (const RuleExpression& e : step.grid) fields.push_back(&e);
    for (const RuleExpression& e : step.block) fields.push_back(&e);
    fields.push_back(&step.shared_bytes);
    if (step.when) fields.push_back(&*step.when);
  }
  std::vector<const Expression*> out;
  for (const RuleExpression* field : fields) {
    for (const Expression* e : field->all()) out.push_back(e);
  }
  return out;
}

bool LaunchRule::reads_device() const {
  // A Triton step without "block" launches num_warps * device.warp_size threads.
  for (const LaunchStep& step : steps) {
    if (step.triton_block) return true;
  }
  for (const Expression* e : expressions()) {
    for (const Symbol& s : e->symbols()) {
      if (s.kind == SymbolKind::device) return true;
    }
  }
  return false;
}

bool LaunchRule::per_vendor() const {
  auto split = [](const RuleExpression& e) { return e.per_vendor(); };
  for (const LaunchValue& v : values) {
    if (split(v.expression)) return true;
  }
  if (workspace_bytes && split(*workspace_bytes)) return true;
  for (const LaunchStep& step : steps) {
    if (std::any_of(step.grid.begin(), step.grid.end(), split) ||
        std::any_of(step.block.begin(), step.block.end(), split) || split(step.shared_bytes) ||
        (step.when && split(*step.when))) {
      return true;
    }
  }
  return false;
}

std::vector<Vendor> kernel_vendors(const Matrix& matrix, const KernelSpec& kernel) {
  const std::vector<std::string>& targets =
      kernel.targets.empty() ? matrix.targets : kernel.targets;
  std::vector<Vendor> out;
  for (Vendor vendor : k_vendors) {
    for (const std::string& target : targets) {
      Result<Vendor> v = vendor_of_target(target);
      if (v && *v == vendor) {
        out.push_back(vendor);
        break;
      }
    }
  }
  return out;
}

Result<LaunchRule> validate_launch_rule(const nlohmann::json& launch, const KernelSpec& kernel,
                                        const std::vector<Vendor>& vendors,
                                        std::string_view where) {
  return RuleValidator(kernel, vendors, where).run(launch);
}

Result<LaunchRules> validate_launch_rules(const Matrix& matrix) {
  LaunchRules rules(matrix.kernels.size());
  ErrorList problems;
  for (std::size_t k = 0; k < matrix.kernels.size(); ++k) {
    const KernelSpec& kernel = matrix.kernels[k];
    if (kernel.launch.is_null()) continue;
    const std::string where =
        matrix.file.filename().string() + ": kernels[" + std::to_string(k) + "]";
    Result<LaunchRule> rule =
        validate_launch_rule(kernel.launch, kernel, kernel_vendors(matrix, kernel), where);
    if (rule) {
      rules[k] = std::move(*rule);
    } else {
      problems.add(rule.error());
    }
  }
  if (!problems.empty()) return problems.status().error();
  return rules;
}

}  // namespace aotc::launcher
