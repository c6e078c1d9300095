#include "launcher/arg_layout.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/error_list.h"

namespace aotc::launcher {
namespace {

// Stop listing after this many problems: one wrong rule repeats over every variant and target.
constexpr std::size_t k_max_reported = 20;

// Kernel arguments are at most 4 KiB (HIP) / 32 KiB (CUDA 12.1+); the launcher packs them on the
// stack, so metadata claiming more is refused rather than trusted.
constexpr std::uint64_t k_max_argument_bytes = 32768;

struct Located {
  std::string variant;
  std::string target;
};

std::string describe(const StepArg& arg, const LaunchRule& rule) {
  switch (arg.kind) {
    case StepArgKind::param:
      return "'" + arg.name + "' is " + rule.params[arg.param_index].type.spelling;
    case StepArgKind::value:
      return "value '" + arg.name + "'";
    case StepArgKind::define:
      return "define '" + arg.name + "'";
    case StepArgKind::workspace:
      return "'workspace' is a pointer";
  }
  return arg.name;
}

// The size the rule implies, or nullopt for integers whose width the code object decides.
std::optional<std::uint32_t> rule_size(const StepArg& arg, const LaunchRule& rule) {
  switch (arg.kind) {
    case StepArgKind::param:
      return rule.params[arg.param_index].type.size;
    case StepArgKind::workspace:
      return 8;
    default:
      return std::nullopt;
  }
}

class LayoutDeriver {
 public:
  explicit LayoutDeriver(const LaunchRule& rule) : rule_(rule), layouts_(rule.steps.size()) {}

  Result<std::vector<StepLayout>> run(const std::vector<VariantObjects>& variants) {
    for (const VariantObjects& v : variants) {
      if (v.objects == nullptr || v.objects->empty()) {
        report(v.name + ": no compiled objects");
        continue;
      }
      for (const codeobj::ObjectRecord& object : *v.objects) {
        for (std::size_t s = 0; s < rule_.steps.size(); ++s) {
          // A Triton object holds one entry: it lays out only that entry's steps.
          if (!object.entry.empty() && object.entry != rule_.steps[s].entry) continue;
          check(s, {v.name, object.target}, object);
        }
      }
    }
    if (!problems_.empty()) return problems_.status().error();
    return std::move(layouts_);
  }

 private:
  void report(std::string problem) { problems_.add(std::move(problem)); }

  void check(std::size_t s, const Located& at, const codeobj::ObjectRecord& object) {
    const LaunchStep& step = rule_.steps[s];
    const std::string where =
        at.variant + " [" + at.target + "]: steps[" + std::to_string(s) + "] (" + step.entry + ")";
    if (!object.metadata) {
      report(where + ": no metadata was read from the code object");
      return;
    }
    const codeobj::KernelInfo* kernel = object.metadata->find_kernel(step.entry);
    if (kernel == nullptr) {
      report(where + ": the code object's metadata has no kernel '" + step.entry + "'");
      return;
    }
    std::vector<ArgSlot> slots;
    for (std::size_t i = 0; i < kernel->args.size(); ++i) {
      const codeobj::ArgMetadata& a = kernel->args[i];
      if (a.hidden()) continue;
      if (a.size == 0 || a.offset > k_max_argument_bytes ||
          a.size > k_max_argument_bytes - a.offset) {
        report(where + ": the code object's argument " + std::to_string(i) + " (offset " +
               std::to_string(a.offset) + ", size " + std::to_string(a.size) +
               ") is empty or lies beyond " + std::to_string(k_max_argument_bytes) +
               " bytes of arguments");
        return;
      }
      slots.push_back({static_cast<std::uint32_t>(a.offset), static_cast<std::uint32_t>(a.size)});
    }
    // Triton's hidden trailing pointers (global and profile scratch) are not the rule's: they
    // stay in the layout, past the rule's arguments, and the launcher leaves them null.
    const std::size_t hidden = object.triton ? object.triton->scratch.size() : 0;
    if (hidden > slots.size()) {
      report(where + ": the manifest lists more Triton scratch arguments than the kernel takes");
      return;
    }
    for (std::size_t h = slots.size() - hidden; h < slots.size(); ++h) {
      if (slots[h].size != 8) {
        report(where + ": Triton's scratch argument " + std::to_string(h) + " is " +
               std::to_string(slots[h].size) + " bytes, not a pointer");
        return;
      }
    }
    if (slots.size() - hidden != step.args.size()) {
      report(where + ": the rule passes " + std::to_string(step.args.size()) +
             " arguments but the kernel takes " + std::to_string(slots.size() - hidden) +
             (hidden ? " (and " + std::to_string(hidden) + " Triton scratch pointers)" : ""));
      return;
    }
    bool sizes_agree = true;
    for (std::size_t a = 0; a < step.args.size(); ++a) {
      const StepArg& arg = step.args[a];
      const std::string arg_where = where + ": args[" + std::to_string(a) + "] ";
      const std::optional<std::uint32_t> want = rule_size(arg, rule_);
      if (want && *want != slots[a].size) {
        report(arg_where + describe(arg, rule_) + " (" + std::to_string(*want) +
               " bytes) but the code object's argument " + std::to_string(a) + " is " +
               std::to_string(slots[a].size) + " bytes");
      } else if (!want && slots[a].size != 4 && slots[a].size != 8) {
        report(arg_where + describe(arg, rule_) +
               " is an integer (passed as int32_t or int64_t) "
               "but the code object's argument " +
               std::to_string(a) + " is " + std::to_string(slots[a].size) + " bytes");
      } else {
        continue;
      }
      sizes_agree = false;
    }
    if (!sizes_agree) return;  // already reported; comparing with other targets adds nothing
    StepLayout& layout = layouts_[s];
    if (!first_[s]) {
      first_[s] = at;
      layout.slots = slots;
      for (const ArgSlot& slot : slots) {
        layout.buffer_size = std::max(layout.buffer_size, slot.offset + slot.size);
      }
      return;
    }
    if (slots.size() != layout.slots.size()) {
      report(where + ": takes " + std::to_string(slots.size()) + " arguments in all, but " +
             std::to_string(layout.slots.size()) + " in " + first_[s]->variant + " [" +
             first_[s]->target + "]; one launcher cannot pack both");
      return;
    }
    for (std::size_t a = 0; a < slots.size(); ++a) {
      if (slots[a].offset != layout.slots[a].offset || slots[a].size != layout.slots[a].size) {
        const std::string name = a < step.args.size() ? step.args[a].name : "(Triton scratch)";
        report(where + ": args[" + std::to_string(a) + "] '" + name + "' is at offset " +
               std::to_string(slots[a].offset) + " size " + std::to_string(slots[a].size) +
               ", but at offset " + std::to_string(layout.slots[a].offset) + " size " +
               std::to_string(layout.slots[a].size) + " in " + first_[s]->variant + " [" +
               first_[s]->target + "]; one launcher cannot pack both");
      }
    }
  }

  const LaunchRule& rule_;
  std::vector<StepLayout> layouts_;
  std::map<std::size_t, std::optional<Located>> first_;
  ErrorList problems_{k_max_reported};
};

}  // namespace

Result<std::vector<StepLayout>> derive_step_layouts(const LaunchRule& rule,
                                                    const std::vector<VariantObjects>& variants) {
  return LayoutDeriver(rule).run(variants);
}

}  // namespace aotc::launcher
