// Where each step argument goes in the kernel's argument buffer, taken from the code objects'
// metadata (ObjectRecord::metadata, kernels[].args) and checked against the launch rule: the
// step must pass exactly the entry's explicit (non-hidden) arguments, each of the size its C type
// has. Every variant and every target must agree, so one layout per step serves all of them: for
// the allowed types (fixed-width scalars and pointers, naturally aligned on AMDGPU and NVPTX
// alike) a disagreement means the rule or the kernel is wrong, and the build refuses it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codeobj/object_record.h"
#include "core/result.h"
#include "launcher/launch_rule.h"

namespace aotc::launcher {

struct ArgSlot {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
};

struct StepLayout {
  // One per LaunchStep::args entry, then one per hidden pointer Triton appended (global and
  // profile scratch), which the launcher leaves null.
  std::vector<ArgSlot> slots;
  std::uint32_t buffer_size = 0;  // end of the last explicit argument
};

// One variant's compiled objects.
struct VariantObjects {
  std::string name;
  const std::vector<codeobj::ObjectRecord>* objects = nullptr;
};

// Derives one layout per rule step. Errors name the variant, target, entry and argument index:
// "pa_decode.kv-bf16.bs64 [gfx942]: steps[0] (pa_decode_attention): args[3] 'scale' is float
// (4 bytes) but the code object's argument 3 is 8 bytes".
Result<std::vector<StepLayout>> derive_step_layouts(const LaunchRule& rule,
                                                    const std::vector<VariantObjects>& variants);

}  // namespace aotc::launcher
