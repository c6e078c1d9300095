#include "matrix/matrix_expand.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "matrix/json_path.h"
#include "matrix/name_rules.h"
#include "matrix/problems.h"

namespace aotc {
namespace {

// Enumerating combinations costs time before include/exclude can drop any; past this many per
// kernel the matrix is refused outright rather than spinning for minutes. Each combination is
// checked against every pattern, which the second bound caps.
constexpr std::uint64_t kMaxCombinations = 1u << 24;
constexpr std::uint64_t kMaxPatternChecks = 1u << 26;

// One combination: the index of the chosen value of each axis, in axis order.
using Combination = std::vector<std::size_t>;

// A pattern as accepted value indices per axis; an empty list means the axis is not constrained.
// A pattern naming an axis the kernel lacks can never match.
struct IndexPattern {
  std::vector<std::vector<bool>> accepted;
  bool unmatchable = false;
};

IndexPattern index_pattern(const KernelSpec& kernel, const AxisPattern& pattern) {
  IndexPattern compiled;
  compiled.accepted.resize(kernel.axes.size());
  for (const auto& [axis_name, values] : pattern) {
    auto axis = std::find_if(kernel.axes.begin(), kernel.axes.end(),
                             [&](const Axis& a) { return a.name == axis_name; });
    if (axis == kernel.axes.end()) {
      compiled.unmatchable = true;
      continue;
    }
    const std::set<nlohmann::json> wanted(values.begin(), values.end());
    auto& accepted = compiled.accepted[axis - kernel.axes.begin()];
    accepted.assign(axis->values.size(), false);
    for (std::size_t v = 0; v < axis->values.size(); ++v) {
      accepted[v] = wanted.contains(axis->values[v].value);
    }
  }
  return compiled;
}

bool matches(const IndexPattern& pattern, const Combination& combination) {
  if (pattern.unmatchable) return false;
  for (std::size_t a = 0; a < combination.size(); ++a) {
    if (!pattern.accepted[a].empty() && !pattern.accepted[a][combination[a]]) return false;
  }
  return true;
}

// Number of combinations of the kernel's axes, saturating at max().
std::uint64_t combination_count(const KernelSpec& kernel) {
  std::uint64_t count = 1;
  for (const Axis& axis : kernel.axes) {
    std::uint64_t n = axis.values.size();
    if (n != 0 && count > std::numeric_limits<std::uint64_t>::max() / n)
      return std::numeric_limits<std::uint64_t>::max();
    count *= n;
  }
  return count;
}

// The kernel's combinations in axis order (last axis fastest) that include/exclude keep; only the
// first `keep_at_most` are stored, `count` counts them all.
struct Kept {
  std::vector<Combination> combinations;
  std::uint64_t count = 0;
};
Kept kept_combinations(const KernelSpec& kernel, std::uint64_t keep_at_most) {
  std::vector<IndexPattern> include, exclude;
  for (const auto& p : kernel.include) include.push_back(index_pattern(kernel, p));
  for (const auto& p : kernel.exclude) exclude.push_back(index_pattern(kernel, p));
  auto any_match = [](const std::vector<IndexPattern>& patterns, const Combination& c) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const IndexPattern& p) { return matches(p, c); });
  };

  Kept kept;
  if (combination_count(kernel) == 0) return kept;
  Combination current(kernel.axes.size(), 0);
  while (true) {
    if ((include.empty() || any_match(include, current)) && !any_match(exclude, current) &&
        kept.count++ < keep_at_most) {
      kept.combinations.push_back(current);
    }
    // Odometer step: advance the last axis, carrying into earlier ones.
    std::size_t a = current.size();
    while (a > 0 && ++current[a - 1] == kernel.axes[a - 1].values.size()) current[--a] = 0;
    if (a == 0) return kept;
  }
}

Variant make_variant(const KernelSpec& kernel, std::size_t kernel_index,
                     const Combination& combination,
                     const std::vector<std::string>& matrix_targets) {
  Variant variant;
  variant.kernel = kernel.name;
  variant.kernel_index = kernel_index;
  variant.name = kernel.name;
  for (std::size_t a = 0; a < combination.size(); ++a) {
    const AxisValue& value = kernel.axes[a].values[combination[a]];
    variant.name += "." + value.label;
    variant.axis_values.emplace_back(kernel.axes[a].name, value);
    variant.defines.insert(variant.defines.end(), value.defines.begin(), value.defines.end());
  }
  variant.targets = kernel.targets.empty() ? matrix_targets : kernel.targets;
  return variant;
}

// {"kv_dtype":"bf16","block_size":64}: the values that produced a name, for collision messages.
std::string describe_values(const Variant& variant) {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (const auto& [axis, value] : variant.axis_values) values[axis] = value.value;
  return json_excerpt(values, 200);
}

}  // namespace

bool variant_matches(const Variant& variant, const AxisPattern& pattern) {
  for (const auto& [axis_name, accepted] : pattern) {
    auto it = std::find_if(variant.axis_values.begin(), variant.axis_values.end(),
                           [&](const auto& entry) { return entry.first == axis_name; });
    if (it == variant.axis_values.end()) return false;
    if (std::find(accepted.begin(), accepted.end(), it->second.value) == accepted.end())
      return false;
  }
  return true;
}

Result<std::vector<Variant>> expand_matrix(const Matrix& matrix) {
  Problems problems(matrix.file.string());
  JsonPath kernels_path = JsonPath{}.key("kernels");

  std::vector<Kept> kept(matrix.kernels.size());
  std::uint64_t variant_count = 0, build_count = 0;
  for (std::size_t k = 0; k < matrix.kernels.size(); ++k) {
    const KernelSpec& kernel = matrix.kernels[k];
    std::uint64_t combinations = combination_count(kernel);
    if (combinations > kMaxCombinations) {
      problems.expected_text(
          kernels_path.index(k).key("axes"),
          "at most " + std::to_string(kMaxCombinations) + " combinations of axis values",
          combinations == std::numeric_limits<std::uint64_t>::max() ? std::string("more than 2^64")
                                                                    : std::to_string(combinations));
      continue;
    }
    const std::uint64_t patterns = kernel.include.size() + kernel.exclude.size();
    if (patterns > 0 && combinations > kMaxPatternChecks / patterns) {
      problems.expected_text(kernels_path.index(k),
                             "at most " + std::to_string(kMaxPatternChecks) +
                                 " combination x pattern checks for include/exclude",
                             std::to_string(combinations) + " combinations x " +
                                 std::to_string(patterns) + " patterns");
      continue;
    }
    // Nothing past the cap is ever built, so nothing past it is stored.
    kept[k] = kept_combinations(kernel, matrix.options.max_variants + 1);
    if (kept[k].count == 0) {
      problems.expected_text(kernels_path.index(k), "at least one variant after include/exclude",
                             "none of " + std::to_string(combinations) + " combinations kept");
    }
    std::size_t targets = kernel.targets.empty() ? matrix.targets.size() : kernel.targets.size();
    variant_count += kept[k].count;
    build_count += kept[k].count * targets;
  }
  if (build_count > matrix.options.max_variants) {
    problems.expected_text(JsonPath{}.key("options").key("max_variants"),
                           "at least " + std::to_string(build_count) + " to build this matrix (" +
                               std::to_string(variant_count) + " variants, " +
                               std::to_string(build_count) +
                               " variant x target builds); raise options.max_variants to allow it",
                           std::to_string(matrix.options.max_variants));
  }
  // Past the cap nothing is materialised: the point of the cap is not to.
  if (!problems.empty()) return problems.status().error();

  std::vector<Variant> variants;
  variants.reserve(variant_count);
  // Names are file names: unique also when case is ignored (case-insensitive file systems).
  std::map<std::string, std::size_t> by_name;
  for (std::size_t k = 0; k < matrix.kernels.size(); ++k) {
    bool reported_bad_name = false;
    for (const Combination& combination : kept[k].combinations) {
      Variant variant = make_variant(matrix.kernels[k], k, combination, matrix.targets);
      // parse_matrix only lets safe labels through, but a Matrix can also be built in code;
      // expansion is where names become paths, so the guarantee is enforced here.
      bool labels_ok = std::all_of(variant.axis_values.begin(), variant.axis_values.end(),
                                   [](const auto& entry) { return is_label(entry.second.label); });
      if (!labels_ok || !is_variant_name(variant.name)) {
        if (!reported_bad_name) {
          problems.expected(
              kernels_path.index(k),
              "variant names of the kernel name and labels ([A-Za-z0-9_+-]+, no leading '-') "
              "joined by '.', at most " +
                  std::to_string(kMaxVariantNameLength) + " characters",
              variant.name);
        }
        reported_bad_name = true;
        continue;
      }
      auto [it, inserted] = by_name.emplace(fold_case(variant.name), variants.size());
      if (!inserted) {
        problems.expected_text(kernels_path.index(k), "unique variant names (also ignoring case)",
                               "\"" + variants[it->second].name + "\" and \"" + variant.name +
                                   "\" for " + describe_values(variants[it->second]) + " and " +
                                   describe_values(variant));
        continue;
      }
      variants.push_back(std::move(variant));
    }
  }
  if (!problems.empty()) return problems.status().error();
  return variants;
}

}  // namespace aotc
