#include "launcher/family_model.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

#include "core/error_list.h"
#include "launcher/expression_eval.h"
#include "matrix/cpp_names.h"
#include "matrix/name_rules.h"

namespace aotc::launcher {
namespace {

using codeobj::ObjectRecord;

class ModelBuilder {
 public:
  ModelBuilder(const KernelSpec& kernel, std::string_view where) : kernel_(kernel), where_(where) {}

  Result<FamilyModel> run(const LaunchRule& rule, const std::vector<Variant>& variants,
                          const std::vector<std::vector<ObjectRecord>>& objects) {
    if (objects.size() != variants.size()) {
      return make_error(where_ + ": " + std::to_string(objects.size()) + " object lists for " +
                        std::to_string(variants.size()) + " variants");
    }
    model_.kernel = kernel_.name;
    model_.triton = kernel_.language == KernelLanguage::triton;
    if (model_.triton) {
      model_.group_entries = kernel_.entries;
    } else {
      model_.group_entries = {""};
    }
    // load_matrix checks names (matrix/cpp_names.h); a KernelSpec built in code may not be.
    if (!is_c_identifier(kernel_.name) || cpp_name_problem(kernel_.name)) {
      return make_error(where_ + ".name: '" + kernel_.name +
                        "' cannot name the launcher's C++ namespace (see matrix/cpp_names.h)");
    }
    model_.rule = rule;
    for (const LaunchStep& step : model_.rule.steps) {
      auto group = std::find(model_.group_entries.begin(), model_.group_entries.end(), step.entry);
      model_.step_group.push_back(
          group == model_.group_entries.end()
              ? 0
              : static_cast<std::size_t>(group - model_.group_entries.begin()));
    }
    read_axes();
    if (!errors_.empty()) return errors_.status().error();
    for (std::size_t i = 0; i < variants.size(); ++i) {
      // A variant without objects failed to build for every target: the launcher reports it as
      // unsupported.
      if (variants[i].kernel != kernel_.name || objects[i].empty()) continue;
      read_variant(variants[i], objects[i],
                   where_ + ": variants[" + std::to_string(i) + "] (" + variants[i].name + ")");
    }
    if (!errors_.empty()) return errors_.status().error();
    if (model_.variants.empty()) {
      return make_error(where_ + ": no built variant of kernel '" + kernel_.name + "'");
    }
    Result<std::vector<StepLayout>> layouts = derive_step_layouts(model_.rule, objects_);
    if (!layouts) return layouts.error().with_context(where_ + " (" + kernel_.name + ")");
    model_.layouts = std::move(*layouts);
    if (model_.triton) read_triton_steps();
    check_block_limits();
    check_overlap_waits();
    if (!errors_.empty()) return errors_.status().error();
    return std::move(model_);
  }

 private:
  void read_axes() {
    std::set<std::string> enum_names;
    for (std::size_t i = 0; i < kernel_.axes.size(); ++i) {
      const Axis& axis = kernel_.axes[i];
      const std::string path = where_ + ".axes." + axis.name;
      if (!is_c_identifier(axis.name) || cpp_name_problem(axis.name)) {
        errors_.add(path + ": axis name cannot name a field of Key (see matrix/cpp_names.h)");
        continue;
      }
      KeyAxis key{axis.name, axis.type, axis.arity, {}, {}, {}};
      for (const AxisValue& v : axis.values) key.values.push_back(v.value);
      if (axis.type == AxisType::string) {
        key.enum_name = cpp_enum_type_name(axis.name);
        if (launcher_type_name_problem(key.enum_name) || !enum_names.insert(key.enum_name).second) {
          errors_.add(path + ": its enum type '" + key.enum_name +
                      "' clashes with another name in the launcher");
        }
        std::set<std::string> seen;
        for (const nlohmann::json& v : key.values) {
          key.enumerators.push_back(
              cpp_enumerator(v.is_string() ? v.get<std::string>() : v.dump()));
          if (!seen.insert(key.enumerators.back()).second) {
            errors_.add(path + ": values " + v.dump() + " and another both become enumerator '" +
                        key.enumerators.back() + "'");
          }
        }
      }
      model_.axes.push_back(std::move(key));
    }
  }

  void read_variant(const Variant& variant, const std::vector<ObjectRecord>& objects,
                    const std::string& where) {
    FamilyVariant out;
    out.name = variant.name;
    for (const KeyAxis& axis : model_.axes) {
      auto value = std::find_if(variant.axis_values.begin(), variant.axis_values.end(),
                                [&](const auto& named) { return named.first == axis.name; });
      auto pos = value == variant.axis_values.end()
                     ? axis.values.end()
                     : std::find(axis.values.begin(), axis.values.end(), value->second.value);
      if (pos == axis.values.end()) {
        errors_.add(
            where + ".axes." + axis.name + ": " +
            (value == variant.axis_values.end()
                 ? std::string("missing")
                 : value->second.value.dump() + " is not a value of the axis in the matrix"));
        return;
      }
      out.axis_indices.push_back(static_cast<std::size_t>(pos - axis.values.begin()));
    }
    if (!read_defines(variant, where, out)) return;
    for (const std::string& group : model_.group_entries) {
      std::size_t before = out.images.size();
      for (const ObjectRecord& object : objects) {
        if (object.entry != group) continue;
        out.images.push_back({object.target, object.format, object.file});
        if (!object.ptx_file.empty() && object.ptx_file != object.file) {
          out.images.push_back({object.target, "ptx", object.ptx_file});
        }
      }
      if (out.images.size() == before) {
        errors_.add(where + ": no code object " +
                    (group.empty() ? std::string() : "of entry " + group + " ") + "was built");
        return;
      }
      out.group_sizes.push_back(out.images.size() - before);
    }
    objects_.push_back({out.name, &objects});
    model_.variants.push_back(std::move(out));
  }

  // The integer value of each define macro the rule reads.
  bool read_defines(const Variant& variant, const std::string& where, FamilyVariant& out) {
    for (const std::string& macro : model_.rule.defines) {
      auto define = std::find_if(variant.defines.begin(), variant.defines.end(),
                                 [&](const Define& d) { return d.name == macro; });
      if (define == variant.defines.end()) {
        errors_.add(where + ": the launch rule reads " + macro +
                    ", which this variant does not define");
        return false;
      }
      std::int64_t value = 0;
      const std::string& text = define->value;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || ptr != text.data() + text.size()) {
        errors_.add(where + ": the launch rule reads " + macro + " as an integer, but it is '" +
                    text + "'");
        return false;
      }
      out.defines.push_back(value);
    }
    return true;
  }

  // The threads per block of `step` on `vendor`'s devices when that is constant per variant.
  static std::optional<std::int64_t> constant_block(const LaunchStep& step, Vendor vendor,
                                                    const SymbolValues& constants) {
    std::int64_t threads = 1;
    for (const RuleExpression& dim : step.block) {
      const Expression* e = dim.for_vendor(vendor);
      if (e == nullptr) return std::nullopt;
      Result<std::int64_t> d = evaluate_expression(*e, constants);
      if (!d || __builtin_mul_overflow(threads, *d, &threads)) return std::nullopt;
    }
    return threads;
  }

  // num_warps and dynamic shared memory of each Triton step, from the Triton facts of every
  // object of the step's entry; the shared memory must fit every target it may be launched on
  // (the launch passes the most its vendor's objects need).
  void read_triton_steps() {
    for (std::size_t vi = 0; vi < model_.variants.size(); ++vi) {
      const FamilyVariant& variant = model_.variants[vi];
      std::vector<TritonStepFacts> facts(model_.rule.steps.size());
      for (std::size_t s = 0; s < model_.rule.steps.size(); ++s) {
        const LaunchStep& step = model_.rule.steps[s];
        const std::string where =
            variant.name + ": steps[" + std::to_string(s) + "] (" + step.entry + ")";
        std::vector<std::pair<std::string, std::uint64_t>> shared;  // target, bytes
        for (const ObjectRecord& object : *objects_[vi].objects) {
          if (object.entry != step.entry) continue;
          const std::string& target = object.target;
          const std::uint64_t warps = object.triton ? object.triton->num_warps : 0;
          const std::uint64_t bytes = object.triton ? object.triton->shared : 0;
          if (warps == 0 || warps > 64 || bytes > (1u << 20)) {
            errors_.add(where + " [" + target +
                        "]: the object's Triton record lacks num_warps or shared");
            continue;
          }
          if (facts[s].num_warps != 0 && facts[s].num_warps != warps) {
            errors_.add(where + ": num_warps differs between targets (" +
                        std::to_string(facts[s].num_warps) + " and " + std::to_string(warps) +
                        " on " + target + ")");
          }
          facts[s].num_warps = static_cast<std::uint32_t>(warps);
          const bool amd = object.vendor == vendor_name(Vendor::amd);
          std::uint32_t& most = amd ? facts[s].shared_amd : facts[s].shared_nvidia;
          most = std::max(most, static_cast<std::uint32_t>(bytes));
          shared.emplace_back(target, bytes);
          for (const codeobj::TritonScratch& scratch : object.triton->scratch) {
            if (scratch.size == 0) continue;
            errors_.add(where + " [" + target + "]: Triton's kernel needs " +
                        std::to_string(scratch.size) + " bytes of " + scratch.name +
                        " memory, which aotc's launchers do not allocate (they pass null)");
          }
        }
        for (const auto& [target, bytes] : shared) {
          const bool amd = target.starts_with("gfx");
          const std::uint32_t passed = amd ? facts[s].shared_amd : facts[s].shared_nvidia;
          const std::uint64_t limit = shared_limit(target);
          if (passed > limit) {
            errors_.add(where + " [" + target + "]: the launch passes " + std::to_string(passed) +
                        " bytes of dynamic shared memory (the most this vendor's targets "
                        "of the variant need), more than " +
                        target + "'s " + std::to_string(limit));
          }
        }
      }
      model_.triton_steps.push_back(std::move(facts));
    }
  }

  // Dynamic shared memory (LDS) one block may use: AMD CDNA 64 KiB (gfx950: 160 KiB); NVIDIA the
  // opt-in maximum per block of each architecture (48 KiB where not listed).
  static std::uint64_t shared_limit(const std::string& target) {
    if (target.starts_with("gfx")) return target == "gfx950" ? 160 * 1024 : 64 * 1024;
    const int sm = std::atoi(target.c_str() + 3);
    if (sm == 80 || sm == 87) return 163 * 1024;
    if (sm == 86 || sm == 89 || sm == 120 || sm == 121) return 99 * 1024;
    if (sm == 90 || sm == 100 || sm == 103) return 227 * 1024;
    return 48 * 1024;
  }

  // A block that is constant per variant must fit the kernel's compiled maximum work-group size
  // (AMD max_workgroup_size, NVIDIA max_threads): refusing it here beats a launch failure later.
  void check_block_limits() {
    for (std::size_t vi = 0; vi < model_.variants.size(); ++vi) {
      const FamilyVariant& variant = model_.variants[vi];
      const SymbolValues constants = [&](const Symbol& s) -> std::optional<std::int64_t> {
        if (s.kind != SymbolKind::define) return std::nullopt;
        auto it = std::find(model_.rule.defines.begin(), model_.rule.defines.end(), s.name);
        return variant.defines[static_cast<std::size_t>(it - model_.rule.defines.begin())];
      };
      for (std::size_t s = 0; s < model_.rule.steps.size(); ++s) {
        const LaunchStep& step = model_.rule.steps[s];
        if (step.triton_block) continue;  // num_warps * warp size: what the kernel was built for
        for (const ObjectRecord& object : *objects_[vi].objects) {
          const std::optional<Vendor> vendor = vendor_from_name(object.vendor);
          const codeobj::KernelInfo* kernel =
              object.metadata ? object.metadata->find_kernel(step.entry) : nullptr;
          if (!vendor || kernel == nullptr) continue;
          std::optional<std::int64_t> threads = constant_block(step, *vendor, constants);
          if (!threads) continue;
          const auto limit = static_cast<std::int64_t>(kernel->max_threads);
          if (limit > 0 && *threads > limit) {
            errors_.add(variant.name + " [" + object.target + "]: steps[" + std::to_string(s) +
                        "] (" + step.entry + "): block of " + std::to_string(*threads) +
                        " threads exceeds the kernel's maximum of " + std::to_string(limit));
          }
        }
      }
    }
  }

  // A step launched to overlap the kernel before it must wait for that kernel before reading its
  // results; an entry whose PTX never waits would race with it on every such launch. Known only
  // where PTX was read (NVIDIA); elsewhere the overlap is a plain launch or cannot be checked.
  void check_overlap_waits() {
    for (std::size_t s = 0; s < model_.rule.steps.size(); ++s) {
      const LaunchStep& step = model_.rule.steps[s];
      if (!step.overlap_previous) continue;
      for (std::size_t vi = 0; vi < model_.variants.size(); ++vi) {
        for (const ObjectRecord& object : *objects_[vi].objects) {
          const codeobj::KernelInfo* kernel =
              object.metadata ? object.metadata->find_kernel(step.entry) : nullptr;
          if (kernel == nullptr || kernel->waits_for_prior_grid != false) continue;
          errors_.add(model_.variants[vi].name + " [" + object.target + "]: steps[" +
                      std::to_string(s) + "] (" + step.entry +
                      "): overlap_previous, but the kernel never waits for the kernel before it "
                      "(no griddepcontrol.wait in its PTX or in a function it calls): it would "
                      "read that kernel's results before they are written");
        }
      }
    }
  }

  const KernelSpec& kernel_;
  std::string where_;
  FamilyModel model_;
  std::vector<VariantObjects> objects_;  // parallel to model_.variants
  ErrorList errors_;
};

}  // namespace

Result<FamilyModel> build_family_model(const KernelSpec& kernel, const LaunchRule& rule,
                                       const std::vector<Variant>& variants,
                                       const std::vector<std::vector<ObjectRecord>>& objects,
                                       std::string_view where) {
  return ModelBuilder(kernel, where).run(rule, variants, objects);
}

}  // namespace aotc::launcher
