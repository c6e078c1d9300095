#include "matrix/matrix_parse.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>

#include "core/atomic_file.h"
#include "matrix/axis_parse.h"
#include "matrix/cpp_names.h"
#include "matrix/json_checks.h"
#include "matrix/json_document.h"
#include "matrix/matrix_paths.h"
#include "matrix/name_rules.h"
#include "matrix/triton_parse.h"

namespace aotc {
namespace fs = std::filesystem;
namespace {

// A matrix is a hand-written config; anything this big is a mistake or an attack.
constexpr std::uint64_t kMaxMatrixBytes = 16u << 20;

// Every axis adds at least two characters ('.' and a label) to variant names of at most 200, so
// no kernel builds with more axes than this; refusing them early bounds the work per variant.
constexpr std::size_t kMaxAxes = 64;

// The most variant x target builds options.max_variants may allow: each costs a compile, and
// expansion holds every variant in memory.
constexpr std::int64_t kMaxBuilds = 1 << 20;

constexpr StringRule kTargetRule{
    "target name (gfxNNN[a-f], gfxN[-N]-generic or sm_NN[a])",
    [](std::string_view t) { return is_amd_target_name(t) || is_nvidia_target_name(t); }};
constexpr StringRule kIdentifierRule{"C identifier", is_c_identifier};
constexpr StringRule kFlagRule{"flag without control characters, at most 4096 characters",
                               is_plain_argument};
constexpr std::array<std::string_view, 6> kOptLevels{"0", "1", "2", "3", "s", "z"};

// Kernel sources and include directories are read by the compiler; they resolve against this.
fs::path matrix_directory(const fs::path& file) {
  return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

// "X.Y" as (X, Y); at most three digits each so the numbers stay small.
std::optional<std::pair<int, int>> parse_rocm_version(const std::string& text) {
  auto dot = text.find('.');
  auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 3 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dot == std::string::npos) return std::nullopt;
  std::string_view major = std::string_view(text).substr(0, dot);
  std::string_view minor = std::string_view(text).substr(dot + 1);
  if (!digits(major) || !digits(minor)) return std::nullopt;
  return std::pair{std::stoi(std::string(major)), std::stoi(std::string(minor))};
}

MatrixOptions parse_options(const OrderedJson& node, const JsonPath& path, Problems& problems) {
  MatrixOptions options;
  ObjectReader reader(node, path, problems,
                      {"opt_level", "code_object_version", "rocm_floor", "compress_bundles",
                       "max_variants", "extra_flags"});
  if (const auto* n = reader.optional("opt_level")) {
    if (n->is_string() && std::find(kOptLevels.begin(), kOptLevels.end(), n->get<std::string>()) !=
                              kOptLevels.end()) {
      options.opt_level = n->get<std::string>();
    } else {
      problems.expected(reader.path("opt_level"), "one of \"0\", \"1\", \"2\", \"3\", \"s\", \"z\"",
                        *n);
    }
  }
  if (const auto* n = reader.optional("code_object_version")) {
    if (auto v = read_integer(*n, reader.path("code_object_version"), problems)) {
      if (*v >= 4 && *v <= 6) {
        options.code_object_version = static_cast<int>(*v);
      } else {
        problems.expected(reader.path("code_object_version"), "4, 5 or 6", *n);
      }
    }
  }
  if (const auto* n = reader.optional("rocm_floor")) {
    if (n->is_string() && parse_rocm_version(n->get<std::string>())) {
      options.rocm_floor = n->get<std::string>();
    } else {
      problems.expected(reader.path("rocm_floor"), "ROCm version \"X.Y\"", *n);
    }
  }
  if (const auto* n = reader.optional("compress_bundles")) {
    if (auto v = read_boolean(*n, reader.path("compress_bundles"), problems))
      options.compress_bundles = *v;
  }
  if (const auto* n = reader.optional("max_variants")) {
    if (auto v = read_integer(*n, reader.path("max_variants"), problems)) {
      if (*v > 0 && *v <= kMaxBuilds) {
        options.max_variants = static_cast<std::uint64_t>(*v);
      } else {
        problems.expected(reader.path("max_variants"),
                          "integer from 1 to " + std::to_string(kMaxBuilds), *n);
      }
    }
  }
  if (const auto* n = reader.optional("extra_flags")) {
    options.extra_flags =
        read_string_array(*n, reader.path("extra_flags"), problems, kFlagRule, false);
  }

  // What the loader can read: compressed bundles need ROCm 6.2, code object v6 needs ROCm 6.3.
  auto floor = parse_rocm_version(options.rocm_floor).value_or(std::pair{0, 0});
  if (options.compress_bundles && floor < std::pair{6, 2}) {
    problems.expected(reader.path("compress_bundles"),
                      "false while rocm_floor is below 6.2 (compressed bundles need ROCm 6.2)",
                      true);
  }
  if (options.code_object_version == 6 && floor < std::pair{6, 3}) {
    problems.expected(reader.path("code_object_version"),
                      "at most 5 while rocm_floor is below 6.3 (code object v6 needs ROCm 6.3)", 6);
  }
  return options;
}

// Targets of the matrix or of one kernel. Generic AMD targets exist only from code object v6 on.
std::vector<std::string> parse_targets(const OrderedJson& node, const JsonPath& path,
                                       bool at_least_one, const MatrixOptions& options,
                                       Problems& problems) {
  auto targets = read_string_array(node, path, problems, kTargetRule, at_least_one);
  if (node.is_array() && options.code_object_version < 6) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (node[i].is_string() && is_generic_amd_target_name(node[i].get<std::string>())) {
        problems.expected(
            path.index(i),
            "a specific processor, or options.code_object_version 6 (generic targets need v6)",
            node[i]);
      }
    }
  }
  return targets;
}

// A string axis is an enum type in the launcher, named after the axis (cpp_names.h). The name
// must be usable, must not be the launcher's own, and must not be a field of Key (an axis name):
// inside Key the field would change what the type's name means.
void check_enum_type_names(const std::vector<Axis>& axes, const JsonPath& axes_path,
                           Problems& problems) {
  std::set<std::string> fields;
  for (const Axis& axis : axes) fields.insert(axis.name);
  std::map<std::string, std::string> type_owner;
  for (const Axis& axis : axes) {
    if (axis.type != AxisType::string) continue;
    const std::string type = cpp_enum_type_name(axis.name);
    const JsonPath path = axes_path.key(axis.name);
    std::optional<std::string> problem;
    if (!is_c_identifier(type)) {
      problem = "is a C identifier";
    } else if (auto cpp = cpp_name_problem(type)) {
      problem = "is not " + *cpp;
    } else if (auto launcher = launcher_type_name_problem(type)) {
      problem = "is not " + *launcher;
    } else if (fields.contains(type)) {
      problem = "is not also an axis name, i.e. a field of Key";
    } else if (auto [owner, inserted] = type_owner.emplace(type, axis.name); !inserted) {
      problem = "is not also the enum type of axis " + owner->second;
    }
    if (problem) {
      problems.expected(
          path, "a string axis name whose enum type name \"" + type + "\" " + *problem, axis.name);
    }
  }
}

KernelSpec parse_kernel(const OrderedJson& node, const JsonPath& path, const fs::path& matrix_dir,
                        const MatrixOptions& options,
                        const std::vector<std::string>& matrix_targets, Problems& problems) {
  KernelSpec kernel;
  ObjectReader reader(node, path, problems,
                      {"name", "language", "source", "include_dirs", "entries", "axes", "include",
                       "exclude", "targets", "extra_flags", "launch", "python", "derived"});
  if (!reader.is_object()) return kernel;
  if (const auto* n = reader.optional("language")) {
    kernel.language = parse_language(*n, reader.path("language"), problems);
  }
  const bool triton = kernel.language == KernelLanguage::triton;

  if (const auto* n = reader.required("name", "C identifier")) {
    if (!n->is_string() || !is_c_identifier(n->get<std::string>())) {
      problems.expected(reader.path("name"), "C identifier", *n);
    } else if (auto problem = cpp_name_problem(n->get<std::string>())) {
      // The name becomes the launcher's namespace, aotc::gen::<name>.
      problems.expected(reader.path("name"), "a kernel name that is not " + *problem, *n);
    } else if (auto launcher = launcher_namespace_problem(n->get<std::string>())) {
      problems.expected(reader.path("name"), "a kernel name that is not " + *launcher, *n);
    } else {
      kernel.name = n->get<std::string>();
    }
  }
  if (const auto* n = reader.required("source", "string")) {
    if (auto written = read_string(*n, reader.path("source"), problems)) {
      auto resolved = resolve_matrix_path(matrix_dir, *written, PathKind::file);
      if (resolved) {
        kernel.source = *resolved;
      } else {
        problems.expected(reader.path("source"), resolved.error().message, *n);
      }
    }
  }
  if (const auto* n = reader.optional("include_dirs")) {
    JsonPath dirs_path = reader.path("include_dirs");
    if (check_array(*n, dirs_path, problems, "array of strings")) {
      for (std::size_t i = 0; i < n->size(); ++i) {
        auto written = read_string((*n)[i], dirs_path.index(i), problems);
        if (!written) continue;
        auto resolved = resolve_matrix_path(matrix_dir, *written, PathKind::directory);
        if (resolved) {
          kernel.include_dirs.push_back(*resolved);
        } else {
          problems.expected(dirs_path.index(i), resolved.error().message, (*n)[i]);
        }
      }
    }
  }
  if (triton) {
    if (const auto* n = reader.required("entries", "array of entries")) {
      parse_triton_entries(*n, reader.path("entries"), kernel, problems);
    }
  } else if (const auto* n = reader.required("entries", "array of C identifiers")) {
    kernel.entries = read_string_array(*n, reader.path("entries"), problems, kIdentifierRule, true);
  }
  if (const auto* n = reader.optional("axes")) {
    JsonPath axes_path = reader.path("axes");
    if (!n->is_object()) {
      problems.expected(axes_path, "object (axis name -> axis)", *n);
    } else if (n->size() > kMaxAxes) {
      problems.expected_text(axes_path, "at most " + std::to_string(kMaxAxes) + " axes",
                             std::to_string(n->size()));
    } else {
      std::map<std::string, std::string> macro_owner;  // macro -> axis defining it
      for (const auto& [axis_name, axis_node] : n->items()) {
        JsonPath axis_path = axes_path.key(axis_name);
        if (!is_c_identifier(axis_name)) {
          problems.expected(axis_path, "a C identifier as axis name", axis_name);
          continue;
        }
        // The name becomes a field of the launcher's Key.
        if (auto problem = cpp_name_problem(axis_name)) {
          problems.expected(axis_path, "an axis name that is not " + *problem, axis_name);
          continue;
        }
        Axis axis = parse_axis(axis_name, axis_node, axis_path, problems);
        for (const auto& [macro, format] : axis.define_formats) {
          auto [owner, inserted] = macro_owner.emplace(macro, axis_name);
          if (!inserted) {
            problems.expected(axis_path.key("defines").key(macro),
                              "a macro no other axis defines (axis " + owner->second + " does)",
                              macro);
          }
        }
        kernel.axes.push_back(std::move(axis));
      }
      check_enum_type_names(kernel.axes, axes_path, problems);
    }
  }
  if (const auto* n = reader.optional("include")) {
    kernel.include = parse_patterns(*n, reader.path("include"), kernel.axes, problems);
  }
  if (const auto* n = reader.optional("exclude")) {
    kernel.exclude = parse_patterns(*n, reader.path("exclude"), kernel.axes, problems);
  }
  if (const auto* n = reader.optional("targets")) {
    kernel.targets = parse_targets(*n, reader.path("targets"), false, options, problems);
  }
  if (const auto* n = reader.optional("extra_flags")) {
    kernel.extra_flags =
        read_string_array(*n, reader.path("extra_flags"), problems, kFlagRule, false);
  }
  if (const auto* n = reader.optional("launch")) {
    // The launcher generator validates the rule's content; here it only has to be an object.
    if (n->is_object()) {
      kernel.launch = nlohmann::json(*n);
    } else {
      problems.expected(reader.path("launch"), "object", *n);
    }
  }
  for (const char* key : {"python", "derived"}) {
    if (!triton && reader.optional(key)) {
      problems.expected(reader.path(key), "no such key unless \"language\" is \"triton\"",
                        *reader.optional(key));
    }
  }
  if (triton) {
    if (const auto* n = reader.optional("python")) {
      parse_triton_python(*n, reader.path("python"), matrix_dir, kernel, problems);
    }
    if (const auto* n = reader.optional("derived")) {
      parse_triton_derived(*n, reader.path("derived"),
                           kernel.targets.empty() ? matrix_targets : kernel.targets, kernel,
                           problems);
    }
    if (!kernel.extra_flags.empty()) {
      problems.expected(reader.path("extra_flags"),
                        "no clang flags for a Triton kernel (use its entries' options)",
                        *reader.optional("extra_flags"));
    }
    check_triton_kernel(kernel, path, problems);
  }
  return kernel;
}

// The directory kernel paths resolve against and may not leave: `override` (aotc build
// --source-root) when given; else the matrix file's own directory, unless "root" names another:
// a string is a directory relative to the matrix file (it may climb, e.g. "..", so a matrix kept
// in configs/ can build the repository's kernels/ with the same paths build-matrix.json uses);
// {"env": "NAME"} is the directory in environment variable NAME, for sources that live in the
// user's own checkout of another project (aiter) and are named at build time.
fs::path source_root(ObjectReader& top, const fs::path& matrix_dir,
                     const std::optional<fs::path>& override, Problems& problems,
                     std::string& variable) {
  const auto* n = top.optional("root");
  auto existing = [&](const fs::path& dir, const OrderedJson& found) -> std::optional<fs::path> {
    std::error_code ec;
    fs::path root = fs::absolute(dir, ec).lexically_normal();
    if (ec || dir.empty() || !fs::is_directory(root, ec)) {
      problems.expected(top.path("root"), "an existing directory", found);
      return std::nullopt;
    }
    return root;
  };
  if (override) return existing(*override, override->string()).value_or(matrix_dir);
  if (!n) return matrix_dir;
  if (n->is_object()) {
    ObjectReader reader(*n, top.path("root"), problems, {"env"});
    const auto* env = reader.required("env", "name of an environment variable");
    if (!env) return matrix_dir;
    if (!env->is_string() || !is_c_identifier(env->get<std::string>())) {
      problems.expected(reader.path("env"), "name of an environment variable", *env);
      return matrix_dir;
    }
    variable = env->get<std::string>();
    const char* value = std::getenv(variable.c_str());
    if (!value || !*value) {
      problems.expected_text(
          top.path("root"),
          "a source root: set $" + env->get<std::string>() + " or pass --source-root DIR",
          "$" + env->get<std::string>() + " unset");
      return matrix_dir;
    }
    return existing(value, std::string("$") + env->get<std::string>() + "=" + value)
        .value_or(matrix_dir);
  }
  auto written = read_string(*n, top.path("root"), problems);
  if (!written) return matrix_dir;
  if (written->empty()) {
    problems.expected(top.path("root"), "an existing directory", *n);
    return matrix_dir;
  }
  return existing(matrix_dir / *written, *n).value_or(matrix_dir);
}

}  // namespace

Result<Matrix> parse_matrix(std::string_view json_text, const fs::path& file,
                            const MatrixLoadOptions& load) {
  auto document = parse_json_document(json_text, file.string());
  if (!document) return document.error();

  Problems problems(file.string());
  Matrix matrix;
  matrix.file = file;
  ObjectReader top(*document, JsonPath{}, problems,
                   {"schema", "root", "targets", "options", "kernels"});
  if (const auto* n = top.required("schema", "1")) {
    if (auto schema = read_integer(*n, top.path("schema"), problems); schema && *schema != 1) {
      problems.expected(top.path("schema"), "1 (the only schema version)", *n);
    }
  }
  // Options first: target checks depend on the code object version.
  if (const auto* n = top.optional("options"))
    matrix.options = parse_options(*n, top.path("options"), problems);
  if (const auto* n = top.required("targets", "array of target names")) {
    matrix.targets = parse_targets(*n, top.path("targets"), true, matrix.options, problems);
  }
  if (const auto* n = top.required("kernels", "array of kernels")) {
    JsonPath kernels_path = top.path("kernels");
    if (check_array(*n, kernels_path, problems, "array of kernels")) {
      if (n->empty()) problems.expected(kernels_path, "at least one kernel", *n);
      fs::path dir = source_root(top, matrix_directory(file), load.source_root, problems,
                                 matrix.root_variable);
      matrix.root = fs::absolute(dir).lexically_normal();
      if (!matrix.root.has_filename())
        matrix.root = matrix.root.parent_path();  // "/a/b/" -> "/a/b"
      // Kernel names name launcher files (out/include/aotc/<name>_launcher.h): two that differ
      // only in case would be one file on a case-insensitive file system.
      std::set<std::string> names, folded_names;
      for (std::size_t k = 0; k < n->size(); ++k) {
        KernelSpec kernel = parse_kernel((*n)[k], kernels_path.index(k), dir, matrix.options,
                                         matrix.targets, problems);
        if (!kernel.name.empty() && !names.insert(kernel.name).second) {
          problems.expected(kernels_path.index(k).key("name"), "a kernel name not used before",
                            kernel.name);
        } else if (!kernel.name.empty() && !folded_names.insert(fold_case(kernel.name)).second) {
          problems.expected(kernels_path.index(k).key("name"),
                            "a kernel name that differs from the others also when case is "
                            "ignored (it names files)",
                            kernel.name);
        }
        matrix.kernels.push_back(std::move(kernel));
      }
    }
  }
  if (Status status = problems.status(); !status) return status.error();
  return matrix;
}

Result<Matrix> load_matrix(const fs::path& file, const MatrixLoadOptions& load) {
  auto text = read_file_text(file, kMaxMatrixBytes);
  if (!text) return text.error();
  return parse_matrix(*text, file, load);
}

}  // namespace aotc
