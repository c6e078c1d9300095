#include "build/build_plan.h"

#include <algorithm>

#include "build/compile_command.h"
#include "matrix/name_rules.h"

namespace aotc {

std::string root_relative(const std::filesystem::path& path, const std::filesystem::path& root) {
  std::filesystem::path relative = path.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return path.string();
  return relative.string();
}

std::string PlannedObject::stem(const std::string& variant_name) const {
  return entry.empty() ? variant_name : variant_name + "." + entry;
}

std::filesystem::path PlannedObject::file(const std::string& variant_name,
                                          const std::string& kind) const {
  return std::filesystem::path(target) / (stem(variant_name) + "." + kind);
}

namespace {

bool builds_for(const Variant& variant, const std::string& target) {
  return std::find(variant.targets.begin(), variant.targets.end(), target) != variant.targets.end();
}

// What Triton can build: a gfx processor through its AMD backend, sm_NN through its NVIDIA one.
Status check_triton_target(const TritonInstall& triton, const std::string& target) {
  if (is_generic_target(target)) {
    return make_error("Triton kernels cannot target " + target +
                      ": Triton builds for specific processors (gfx942, gfx950, ...)");
  }
  const std::string backend = vendor_of_target(target).value() == Vendor::amd ? "amd" : "nvidia";
  if (std::find(triton.backends.begin(), triton.backends.end(), backend) == triton.backends.end()) {
    return make_error(target + " needs Triton's " + backend + " backend, which " +
                      triton.describe() + " does not have");
  }
  return Status::success();
}

// Every object of one Triton variant: one per entry and target.
void plan_triton_variant(const Matrix& matrix, const std::vector<Variant>& variants, std::size_t v,
                         const std::vector<std::string>& targets, const TritonInstall& triton,
                         const std::string& source_sha256, std::vector<PlannedObject>& objects,
                         std::string& problems) {
  const Variant& variant = variants[v];
  const KernelSpec& kernel = matrix.kernels.at(variant.kernel_index);
  std::vector<std::string> python_path;
  for (const auto& dir : kernel.triton.python_path) {
    python_path.push_back(root_relative(dir, matrix.root));
  }
  for (const auto& target : targets) {
    if (!builds_for(variant, target)) continue;
    for (std::size_t e = 0; e < kernel.entries.size(); ++e) {
      auto compile = resolve_triton_compile(matrix, variant, e, target);
      if (!compile) {
        problems += (problems.empty() ? "" : "\n") + compile.error().message;
        continue;
      }
      PlannedObject object;
      object.variant = v;
      object.target = target;
      object.vendor = vendor_of_target(target).value();  // checked by the caller
      object.entry = kernel.entries[e];
      if (object.stem(variant.name).size() > kMaxVariantNameLength) {
        problems += (problems.empty() ? "" : "\n") + matrix.file.string() + ": " +
                    object.stem(variant.name) + ": longer than " +
                    std::to_string(kMaxVariantNameLength) +
                    " characters (variant name and entry); shorten the labels or the entry name";
        continue;
      }
      object.kinds = object.vendor == Vendor::amd
                         ? std::vector<std::string>{"triton.json", "hsaco"}
                         : std::vector<std::string>{"triton.json", "ptx", "cubin"};
      object.key =
          triton_cache_key({source_sha256, root_relative(kernel.source, matrix.root), object.entry,
                            signature_text(*compile), compile->options.dump(), target, &triton,
                            python_path, kernel.triton.stubs});
      object.triton = std::move(*compile);
      objects.push_back(std::move(object));
    }
  }
}

}  // namespace

ToolNeeds tool_needs(const Matrix& matrix, const std::vector<Variant>& variants,
                     const std::vector<std::string>& targets) {
  ToolNeeds needs;
  for (const auto& target : targets) {
    bool clang = false;
    for (const auto& variant : variants) {
      if (!builds_for(variant, target)) continue;
      if (matrix.kernels.at(variant.kernel_index).language == KernelLanguage::triton) {
        needs.triton = true;
      } else {
        clang = true;
      }
    }
    if (!clang) continue;
    needs.clang_targets.push_back(target);
    auto vendor = vendor_of_target(target);
    needs.nvidia_clang |= vendor && *vendor == Vendor::nvidia;
  }
  return needs;
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
  ToolNeeds needs = tool_needs(matrix, variants, targets);
  for (const auto& target : needs.clang_targets) {
    if (auto ok = check_target(tools.clang, support, target, matrix.options.code_object_version);
        !ok) {
      if (!problems.empty()) problems += '\n';
      problems.append(matrix.file.string()).append(": ").append(ok.error().message);
    }
  }
  if (needs.triton) {
    for (const auto& target : targets) {
      bool used = std::any_of(variants.begin(), variants.end(), [&](const Variant& variant) {
        return builds_for(variant, target) &&
               matrix.kernels.at(variant.kernel_index).language == KernelLanguage::triton;
      });
      if (!used) continue;
      if (auto ok = check_triton_target(*tools.triton, target); !ok) {
        if (!problems.empty()) problems += '\n';
        problems.append(matrix.file.string()).append(": ").append(ok.error().message);
      }
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
    if (kernel.language == KernelLanguage::triton) {
      plan_triton_variant(matrix, variants, v, targets, *tools.triton, *source_hash, objects,
                          problems);
      continue;
    }
    const std::string source_path = root_relative(kernel.source, matrix.root);
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
      object.key = cache_key({*source_hash, source_path, portable_flags(object.flags, matrix.root),
                              &tools.clang, makes_cubin ? &*tools.ptxas : nullptr,
                              object.ptxas_flags, target});
      objects.push_back(std::move(object));
    }
  }
  if (!problems.empty()) return make_error(problems);
  return objects;
}

}  // namespace aotc
