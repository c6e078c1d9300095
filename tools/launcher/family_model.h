// Everything the emitters need to write one kernel family's launcher, gathered and checked in
// one place: the validated launch rule, the key's axes as C++ types, the built variants (from the
// build's variants and object records) with their axis indices, define constants and code-object
// images, and the argument layout of each step. Emitters only format this; they decide nothing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codeobj/object_record.h"
#include "core/result.h"
#include "launcher/arg_layout.h"
#include "launcher/launch_rule.h"
#include "matrix/matrix.h"

namespace aotc::launcher {

// One axis of the Key struct.
struct KeyAxis {
  std::string name;  // field name, e.g. "kv_dtype"
  AxisType type = AxisType::integer;
  std::size_t arity = 1;                 // integer_tuple: std::array<std::int64_t, arity>
  std::string enum_name;                 // string axes: enum class name, e.g. "KvDtype"
  std::vector<std::string> enumerators;  // string axes: C++ names of the values, e.g. "fp16"
  std::vector<nlohmann::json> values;    // as in the matrix, in matrix order
};

// One code-object image of a variant; the runtime picks the one that fits the device.
struct ImageRef {
  std::string target;  // "gfx942", "sm_90a"
  std::string format;  // "hsaco", "cubin", "ptx"
  std::string file;    // relative to the output directory, as in the manifest
};

struct FamilyVariant {
  std::string name;
  std::vector<std::size_t> axis_indices;  // per KeyAxis, index into KeyAxis::values
  std::vector<std::int64_t> defines;      // per LaunchRule::defines
  std::vector<ImageRef> images;           // group after group (FamilyModel::group_entries)
  std::vector<std::size_t> group_sizes;   // images per group
};

// What launching one step of a Triton kernel takes beyond its rule: the num_warps it was compiled
// for (the block of a step without "block") and the dynamic shared memory Triton reported, the
// most over the variant's AMD targets and over its NVIDIA ones (the launch picks by the backend).
struct TritonStepFacts {
  std::uint32_t num_warps = 0;
  std::uint32_t shared_amd = 0;
  std::uint32_t shared_nvidia = 0;
};

struct FamilyModel {
  std::string kernel;  // also the C++ namespace aotc::gen::<kernel>
  bool triton = false;
  LaunchRule rule;
  std::vector<KeyAxis> axes;
  std::vector<FamilyVariant> variants;  // build order
  std::vector<StepLayout> layouts;      // per rule step
  // A variant's code objects come in groups, one module each: one group holding every entry
  // (clang objects; group entry ""), or one group per entry (Triton compiles each entry into its
  // own code object).
  std::vector<std::string> group_entries;
  std::vector<std::size_t> step_group;  // per rule step: the group holding its entry
  // Triton kernels: per variant, per rule step.
  std::vector<std::vector<TritonStepFacts>> triton_steps;
};

// Builds the model of `kernel`, whose launch rule `rule` is (validated), from the build's
// `variants` of that kernel (others are passed over) and `objects`, parallel to `variants`: each
// variant's built code objects, with their metadata. A variant without objects failed to build for
// every target: the launcher reports it as unsupported. `where` locates the kernel for messages
// ("build-matrix.json: kernels[0]").
Result<FamilyModel> build_family_model(
    const KernelSpec& kernel, const LaunchRule& rule, const std::vector<Variant>& variants,
    const std::vector<std::vector<codeobj::ObjectRecord>>& objects, std::string_view where);

}  // namespace aotc::launcher
