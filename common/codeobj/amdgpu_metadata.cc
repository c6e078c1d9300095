// AMDGPU code-object reading. Sources: LLVM's AMDGPUUsage (ELF header, "Code Object V4+ Metadata")
// and the e_flags values clang-22 writes (checked for every processor it accepts; see
// docs/CODE_OBJECTS.md). The metadata is a MessagePack map in the NT_AMDGPU_METADATA (32) note
// whose owner is "AMDGPU".
#include "codeobj/amdgpu_metadata.h"

#include <utility>

#include "codeobj/concat.h"
#include "codeobj/elf_reader.h"
#include "codeobj/msgpack_decode.h"

namespace aotc::codeobj {
namespace {

constexpr std::uint8_t kOsAbiAmdgpuHsa = 64;
constexpr std::uint32_t kNtAmdgpuMetadata = 32;
constexpr std::uint32_t kMachMask = 0xff;
constexpr std::uint32_t kXnackMask = 0x300;
constexpr std::uint32_t kSrameccMask = 0xc00;

// EF_AMDGPU_MACH_* (LLVM BinaryFormat/ELF.h), as clang-22 writes them.
constexpr std::pair<std::uint32_t, std::string_view> kMachNames[] = {
    {0x20, "gfx600"},          {0x21, "gfx601"},          {0x3a, "gfx602"},
    {0x22, "gfx700"},          {0x23, "gfx701"},          {0x24, "gfx702"},
    {0x25, "gfx703"},          {0x26, "gfx704"},          {0x3b, "gfx705"},
    {0x28, "gfx801"},          {0x29, "gfx802"},          {0x2a, "gfx803"},
    {0x3c, "gfx805"},          {0x2b, "gfx810"},          {0x2c, "gfx900"},
    {0x2d, "gfx902"},          {0x2e, "gfx904"},          {0x2f, "gfx906"},
    {0x30, "gfx908"},          {0x31, "gfx909"},          {0x3f, "gfx90a"},
    {0x32, "gfx90c"},          {0x40, "gfx940"},          {0x4b, "gfx941"},
    {0x4c, "gfx942"},          {0x4f, "gfx950"},          {0x33, "gfx1010"},
    {0x34, "gfx1011"},         {0x35, "gfx1012"},         {0x42, "gfx1013"},
    {0x36, "gfx1030"},         {0x37, "gfx1031"},         {0x38, "gfx1032"},
    {0x39, "gfx1033"},         {0x3e, "gfx1034"},         {0x3d, "gfx1035"},
    {0x45, "gfx1036"},         {0x41, "gfx1100"},         {0x46, "gfx1101"},
    {0x47, "gfx1102"},         {0x44, "gfx1103"},         {0x43, "gfx1150"},
    {0x4a, "gfx1151"},         {0x55, "gfx1152"},         {0x58, "gfx1153"},
    {0x48, "gfx1200"},         {0x4e, "gfx1201"},         {0x49, "gfx1250"},
    {0x5a, "gfx1251"},         {0x51, "gfx9-generic"},    {0x5f, "gfx9-4-generic"},
    {0x52, "gfx10-1-generic"}, {0x53, "gfx10-3-generic"}, {0x54, "gfx11-generic"},
    {0x59, "gfx12-generic"},
};

Error metadata_error(std::string_view path, std::string_view what) {
  return make_error(concat("NT_AMDGPU_METADATA: ", path, ": ", what));
}

Result<std::uint64_t> get_uint(const nlohmann::json& object, std::string_view key,
                               std::string_view path, std::optional<std::uint64_t> fallback) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (fallback) return *fallback;
    return metadata_error(path, concat("missing ", key));
  }
  if (!it->is_number_unsigned()) {
    return metadata_error(concat(path, ".", key),
                          concat("expected an unsigned integer, found ", it->type_name()));
  }
  return it->get<std::uint64_t>();
}

Result<std::string> get_string(const nlohmann::json& object, std::string_view key,
                               std::string_view path, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (!required) return std::string();
    return metadata_error(path, concat("missing ", key));
  }
  if (!it->is_string()) {
    return metadata_error(concat(path, ".", key),
                          concat("expected a string, found ", it->type_name()));
  }
  return it->get<std::string>();
}

Result<KernelArg> arg_from_metadata(const nlohmann::json& arg, const std::string& path) {
  if (!arg.is_object()) return metadata_error(path, "expected a map");
  KernelArg out;
  auto offset = get_uint(arg, ".offset", path, std::nullopt);
  if (!offset) return offset.error();
  auto size = get_uint(arg, ".size", path, std::nullopt);
  if (!size) return size.error();
  auto kind = get_string(arg, ".value_kind", path, true);
  if (!kind) return kind.error();
  auto space = get_string(arg, ".address_space", path, false);
  if (!space) return space.error();
  auto name = get_string(arg, ".name", path, false);
  if (!name) return name.error();
  out.offset = *offset;
  out.size = *size;
  out.kind = std::move(*kind);
  out.address_space = std::move(*space);
  out.name = std::move(*name);
  return out;
}

Result<AmdKernel> kernel_from_metadata(const nlohmann::json& k, const std::string& path) {
  if (!k.is_object()) return metadata_error(path, "expected a map");
  AmdKernel out;
  auto name = get_string(k, ".name", path, true);
  if (!name) return name.error();
  auto symbol = get_string(k, ".symbol", path, true);
  if (!symbol) return symbol.error();
  out.name = std::move(*name);
  out.symbol = std::move(*symbol);

  // Fields every v4+ kernel carries are required; counts LLVM omits when they are zero (agpr on
  // targets without AGPRs, spills) and the dynamic-stack flag default to zero/false.
  struct UintField {
    std::string_view key;
    std::uint64_t AmdKernel::* field;
    std::optional<std::uint64_t> fallback;
  };
  static const UintField kFields[] = {
      {".kernarg_segment_size", &AmdKernel::kernarg_size, std::nullopt},
      {".kernarg_segment_align", &AmdKernel::kernarg_align, std::nullopt},
      {".group_segment_fixed_size", &AmdKernel::group_segment_size, std::nullopt},
      {".private_segment_fixed_size", &AmdKernel::private_segment_size, std::nullopt},
      {".sgpr_count", &AmdKernel::sgpr_count, std::nullopt},
      {".vgpr_count", &AmdKernel::vgpr_count, std::nullopt},
      {".agpr_count", &AmdKernel::agpr_count, 0},
      {".sgpr_spill_count", &AmdKernel::sgpr_spill_count, 0},
      {".vgpr_spill_count", &AmdKernel::vgpr_spill_count, 0},
      {".wavefront_size", &AmdKernel::wavefront_size, std::nullopt},
      {".max_flat_workgroup_size", &AmdKernel::max_workgroup_size, std::nullopt},
  };
  for (const auto& f : kFields) {
    auto v = get_uint(k, f.key, path, f.fallback);
    if (!v) return v.error();
    out.*f.field = *v;
  }
  if (auto it = k.find(".uses_dynamic_stack"); it != k.end()) {
    if (!it->is_boolean()) {
      return metadata_error(path + ".uses_dynamic_stack", "expected a boolean");
    }
    out.uses_dynamic_stack = it->get<bool>();
  }
  if (auto it = k.find(".args"); it != k.end()) {
    if (!it->is_array()) return metadata_error(path + ".args", "expected an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto arg = arg_from_metadata((*it)[i], concat(path, ".args[", i, "]"));
      if (!arg) return arg.error();
      out.args.push_back(std::move(*arg));
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> amdgpu_processor_for_mach(std::uint32_t mach) {
  for (const auto& [value, name] : kMachNames) {
    if (value == mach) return std::string(name);
  }
  return std::nullopt;
}

Result<TargetId> target_id_from_e_flags(std::uint32_t e_flags, int code_object_version) {
  auto processor = amdgpu_processor_for_mach(e_flags & kMachMask);
  if (!processor) {
    return make_error(concat("e_flags 0x", std::hex, e_flags, ": unknown EF_AMDGPU_MACH 0x",
                             (e_flags & kMachMask)));
  }
  TargetId id;
  id.processor = std::move(*processor);
  if (code_object_version >= 4) {
    // Two bits per feature: unsupported (0), any (1), off (2), on (3). Only off/on appear in the
    // target id; "any" is the absence of the feature.
    auto apply = [&](std::string name, std::uint32_t setting) {
      if (setting == 2) id.features[name] = '-';
      if (setting == 3) id.features[name] = '+';
    };
    apply("xnack", (e_flags & kXnackMask) >> 8);
    apply("sramecc", (e_flags & kSrameccMask) >> 10);
  } else {
    // Code object v3: one bit each, set = on.
    if (e_flags & 0x100) id.features["xnack"] = '+';
    if (e_flags & 0x200) id.features["sramecc"] = '+';
  }
  return id;
}

Result<std::vector<AmdKernel>> kernels_from_metadata(const nlohmann::json& metadata) {
  if (!metadata.is_object()) return metadata_error("", "expected a map at the top level");
  auto it = metadata.find("amdhsa.kernels");
  if (it == metadata.end()) return std::vector<AmdKernel>{};
  if (!it->is_array()) return metadata_error("amdhsa.kernels", "expected an array");
  std::vector<AmdKernel> kernels;
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto k = kernel_from_metadata((*it)[i], concat("amdhsa.kernels[", i, "]"));
    if (!k) return k.error();
    kernels.push_back(std::move(*k));
  }
  return kernels;
}

Result<AmdCodeObject> read_amdgpu_code_object(std::span<const std::uint8_t> bytes) {
  auto elf = parse_elf64(bytes);
  if (!elf) return elf.error();
  if (elf->header.machine != kEmAmdgpu) {
    return make_error(concat("not an AMDGPU code object: e_machine is ", elf->header.machine,
                             ", expected ", kEmAmdgpu, " (EM_AMDGPU)"));
  }
  if (elf->header.os_abi != kOsAbiAmdgpuHsa) {
    return make_error(concat("not an HSA code object: EI_OSABI is ", int(elf->header.os_abi),
                             ", expected 64 (ELFOSABI_AMDGPU_HSA)"));
  }
  AmdCodeObject out;
  // EI_ABIVERSION 1..4 are code object v3..v6.
  int abi = elf->header.abi_version;
  if (abi < 1 || abi > 4) {
    return make_error(concat("EI_ABIVERSION ", abi, " is not a known code-object version (1-4)"));
  }
  out.code_object_version = abi + 2;
  out.e_flags = elf->header.flags;
  auto id = target_id_from_e_flags(out.e_flags, out.code_object_version);
  if (!id) return id.error();
  out.target_id = std::move(*id);

  const ElfNote* note = nullptr;
  for (const ElfNote& n : elf->notes) {
    if (n.owner == "AMDGPU" && n.type == kNtAmdgpuMetadata) {
      note = &n;
      break;
    }
  }
  if (!note) return make_error("no NT_AMDGPU_METADATA note (owner \"AMDGPU\", type 32)");
  auto metadata = decode_msgpack(note->desc);
  if (!metadata) return metadata.error().with_context("NT_AMDGPU_METADATA");
  auto target = get_string(*metadata, "amdhsa.target", "", false);
  if (!target) return target.error();
  out.metadata_target = std::move(*target);
  auto kernels = kernels_from_metadata(*metadata);
  if (!kernels) return kernels.error();
  out.kernels = std::move(*kernels);
  return out;
}

}  // namespace aotc::codeobj
