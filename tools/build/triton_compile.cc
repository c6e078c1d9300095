#include "build/triton_compile.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <regex>

#include "matrix/name_template.h"
#include "matrix/value_format.h"

namespace aotc {
namespace {

// Resolves {NAME}s for one variant and target: a variant's define, or a derived value (whose own
// text may hold placeholders; the parser rejected cycles).
class Resolver {
 public:
  Resolver(const KernelSpec& kernel, const Variant& variant, const std::string& target)
      : kernel_(kernel), variant_(variant), target_(target) {
    for (const Define& define : variant.defines) defines_[define.name] = define.value;
  }

  Result<std::string> render(const std::string& text) const {
    auto parsed = NameTemplate::parse(text);
    if (!parsed) return make_error("text with {NAME} placeholders");
    return parsed->render([this](const std::string& name) { return lookup(name); });
  }

 private:
  Result<std::string> lookup(const std::string& name) const {
    if (auto it = defines_.find(name); it != defines_.end()) return it->second;
    for (const auto& derived : kernel_.triton.derived) {
      if (derived.name != name) continue;
      std::string key = target_;
      if (derived.from != "target") {
        for (const auto& [axis, value] : variant_.axis_values) {
          if (axis == derived.from) key = value_elements(value.value).front();
        }
      }
      auto it = derived.values.find(key);
      if (it == derived.values.end()) {
        return make_error("a value of " + name + " for " + key + " (derived." + name +
                          ".values has none)");
      }
      return render(it->second);
    }
    return make_error("a define or derived value named " + name);
  }

  const KernelSpec& kernel_;
  const Variant& variant_;
  const std::string& target_;
  std::map<std::string, std::string> defines_;
};

// An option's value after resolution: text that reads as an integer, float or boolean becomes
// one (num_warps "{NUM_WARPS}" -> 4), any other text stays a string.
nlohmann::ordered_json option_value(const std::string& text) {
  static const std::regex integer("-?[0-9]+");
  static const std::regex real("-?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");
  if (text == "true" || text == "false") return text == "true";
  if (std::regex_match(text, integer)) {
    try {
      return std::stoll(text);
    } catch (const std::out_of_range&) {
      return text;
    }
  }
  if (std::regex_match(text, real)) return std::stod(text);
  return text;
}

}  // namespace

Result<TritonCompile> resolve_triton_compile(const Matrix& matrix, const Variant& variant,
                                             std::size_t entry, const std::string& target) {
  const KernelSpec& kernel = matrix.kernels.at(variant.kernel_index);
  const TritonEntrySpec& spec = kernel.triton.entries.at(entry);
  Resolver resolver(kernel, variant, target);
  const std::string where = matrix.file.string() + ": kernels[" +
                            std::to_string(variant.kernel_index) + "].entries[" +
                            std::to_string(entry) + "]";
  const std::string context = " (variant " + variant.name + ", target " + target + ")";
  std::string problems;
  auto report = [&](const std::string& at, const std::string& expected, const std::string& found) {
    problems += (problems.empty() ? "" : "\n") + where + at + ": expected " + expected +
                ", found " + nlohmann::json(found).dump() + context;
  };
  TritonCompile compile;
  compile.entry = entry;
  compile.options = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < spec.signature.size(); ++i) {
    const std::string at = ".signature[" + std::to_string(i) + "]";
    auto text = resolver.render(spec.signature[i]);
    if (!text) {
      report(at, text.error().message, spec.signature[i]);
      continue;
    }
    auto arg = parse_triton_arg(*text);
    if (!arg) {
      report(at, triton_arg_description(), *text);
      continue;
    }
    compile.signature.push_back(std::move(*arg));
  }
  for (const auto& [name, value] : spec.options) {
    if (!value.is_string()) {
      compile.options[name] = value;
      continue;
    }
    auto text = resolver.render(value.get<std::string>());
    if (!text) {
      report(".options." + name, text.error().message, value.get<std::string>());
      continue;
    }
    compile.options[name] = option_value(*text);
  }
  if (!problems.empty()) return make_error(problems);
  return compile;
}

std::vector<std::string> signature_text(const TritonCompile& compile) {
  std::vector<std::string> text;
  for (const auto& arg : compile.signature) text.push_back(to_string(arg));
  return text;
}

double constexpr_size(const TritonCompile& compile) {
  double size = 1.0;
  for (const auto& arg : compile.signature) {
    if (arg.kind != TritonArg::Kind::constexpr_int) continue;
    double value = 0.0;
    const auto [end, error] =
        std::from_chars(arg.value.data(), arg.value.data() + arg.value.size(), value);
    if (error == std::errc() && value > 1.0) size *= value;
  }
  return size;
}

std::string triton_request(std::uint64_t id, const KernelSpec& kernel, const TritonCompile& compile,
                           const std::string& target,
                           const std::map<std::string, std::filesystem::path>& outputs) {
  nlohmann::json python = {{"path", nlohmann::json::array()}, {"stubs", kernel.triton.stubs}};
  for (const auto& dir : kernel.triton.python_path) python["path"].push_back(dir.string());
  nlohmann::json signature = nlohmann::json::array();
  for (const auto& arg : compile.signature) signature.push_back(helper_json(arg));
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [kind, path] : outputs) files[kind] = path.string();
  nlohmann::json request = {{"id", id},
                            {"python", python},
                            {"source", kernel.source.string()},
                            {"entry", kernel.entries.at(compile.entry)},
                            {"target", target},
                            {"signature", signature},
                            {"options", compile.options},
                            {"outputs", files}};
  return request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<TritonReply> parse_triton_reply(std::string_view line) {
  auto json = nlohmann::json::parse(line, nullptr, false);
  auto bad = [&] {
    return make_error("unreadable reply from the Triton helper: " +
                      std::string(line.substr(0, 200)));
  };
  if (!json.is_object() || !json.contains("ok") || !json["ok"].is_boolean()) return bad();
  TritonReply reply;
  reply.ok = json["ok"].get<bool>();
  if (!reply.ok) {
    reply.error = json.value("error", std::string("the helper reported a failure"));
    reply.details = json.value("details", std::string());
    return reply;
  }
  try {
    for (const auto& dependency : json.at("dependencies")) {
      reply.dependencies.emplace_back(dependency.get<std::string>());
    }
    for (const auto& param : json.at("runtime_params")) {
      reply.runtime_params.push_back(param.get<std::string>());
    }
    for (const auto& scratch : json.at("scratch")) {
      reply.scratch.push_back({scratch.at("name").get<std::string>(),
                               scratch.at("size").get<std::uint64_t>(),
                               scratch.at("align").get<std::uint64_t>()});
    }
    reply.gluon = json.value("gluon", false);
  } catch (const nlohmann::json::exception&) {
    return bad();
  }
  if (reply.dependencies.empty()) return bad();
  return reply;
}

}  // namespace aotc
