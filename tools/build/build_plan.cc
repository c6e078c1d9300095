#include "build/build_plan.h"

#include <algorithm>

#include "build/compile_command.h"

namespace aotc {

std::filesystem::path PlannedObject::file(const std::string& variant_name,
                                          const std::string& kind) const {
  return std::filesystem::path(target) / (variant_name + "." + kind);
}

Result<std::vector<std::string>> select_targets(const Matrix& matrix,
                                                const std::vector<Variant>& variants,
                                                const std::vector<std::string>& subset) {
  std::vector<std::string> all;
  auto add = [&](const std::string& target) {
    if (std::find(all.begin(), all.end(), target) == all.end()) all.push_back(target);
  };
  for (const auto& target : matrix.targets) add(target);
  for (const auto& variant : variants) {
    for (const auto& target : variant.targets) add(target);
  }
  // Keep only targets some variant is built for (the matrix may list one no kernel uses).
  std::vector<std::string> used;
  for (const auto& target : all) {
    bool any = std::any_of(variants.begin(), variants.end(), [&](const Variant& variant) {
      return std::find(variant.targets.begin(), variant.targets.end(), target) !=
             variant.targets.end();
    });
    if (any) used.push_back(target);
  }
  if (subset.empty()) return used;

  std::string unknown;
  for (const auto& target : subset) {
    if (std::find(used.begin(), used.end(), target) == used.end()) {
      unknown.append(unknown.empty() ? "" : ", ").append(target);
    }
  }
  if (!unknown.empty()) {
    std::string known;
    for (const auto& target : used) known.append(known.empty() ? "" : ", ").append(target);
    return make_error("--targets: " + unknown + " not in " + matrix.file.string() +
                      " (its targets: " + known + ")");
  }
  std::vector<std::string> chosen;
  for (const auto& target : used) {
    if (std::find(subset.begin(), subset.end(), target) != subset.end()) chosen.push_back(target);
  }
  return chosen;
}

Result<std::vector<PlannedObject>> plan_objects(const Matrix& matrix,
                                                const std::vector<Variant>& variants,
                                                const std::vector<std::string>& targets,
                                                const Toolchains& tools,
                                                const TargetSupport& support, FileHashes& hashes) {
  std::string problems;
  for (const auto& target : targets) {
    if (auto ok = check_target(tools.clang, support, target, matrix.options.code_object_version);
        !ok) {
      if (!problems.empty()) problems += '\n';
      problems.append(matrix.file.string()).append(": ").append(ok.error().message);
    }
  }
  if (!problems.empty()) return make_error(problems);

  std::vector<PlannedObject> objects;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const Variant& variant = variants[v];
    const KernelSpec& kernel = matrix.kernels.at(variant.kernel_index);
    auto source_hash = hashes.sha256_of(kernel.source);
    if (!source_hash) {
      return source_hash.error().with_context(matrix.file.string() + ": kernel " + kernel.name);
    }
    for (const auto& target : targets) {
      if (std::find(variant.targets.begin(), variant.targets.end(), target) ==
          variant.targets.end()) {
        continue;
      }
      PlannedObject object;
      object.variant = v;
      object.target = target;
      object.vendor = vendor_of_target(target).value();  // checked above
      object.flags = compile_flags(matrix, variant, target, object.vendor);
      bool makes_cubin = object.vendor == Vendor::nvidia && tools.ptxas;
      if (makes_cubin) object.ptxas_flags = ptxas_flags(target);
      object.kinds = object.vendor == Vendor::amd ? std::vector<std::string>{"hsaco"}
                     : makes_cubin                ? std::vector<std::string>{"ptx", "cubin"}
                                                  : std::vector<std::string>{"ptx"};
      object.key = cache_key({*source_hash, object.flags, &tools.clang,
                              makes_cubin ? &*tools.ptxas : nullptr, object.ptxas_flags, target});
      objects.push_back(std::move(object));
    }
  }
  return objects;
}

}  // namespace aotc
