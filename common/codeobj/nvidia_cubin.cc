// Cubin reading. The .nv.info format is undocumented by NVIDIA; what we rely on was checked
// against ptxas -v on cubins made by clang-22 + ptxas 13.0 (see tests/codeobj/cubin_test.cc):
//   record: u8 format, u8 attribute, u16 value; format 4 (SVAL) is followed by `value` bytes.
//   EIATTR_KPARAM_INFO (0x17): u32 index, u16 ordinal, u16 offset, u32 flags whose bits 18..31
//     hold the parameter size in bytes.
//   EIATTR_CBANK_PARAM_SIZE (0x19, HVAL): total parameter bytes.
//   EIATTR_MAX_THREADS (0x05) / EIATTR_REQNTID (0x10): u32 x, y, z.
//   In the shared .nv.info: EIATTR_REGCOUNT (0x2f), EIATTR_FRAME_SIZE (0x11) and
//     EIATTR_MAX_STACK_SIZE (0x23), each u32 symbol index, u32 value.
//   Shared memory: the size of .nv.shared.<kernel>; on sm_90+ (a .nv.shared.reserved.* section is
//     present) that section starts with the 1 KiB reserved shared window, which ptxas does not
//     count as the kernel's.
#include "codeobj/nvidia_cubin.h"

#include <algorithm>
#include <map>

#include "codeobj/byte_reader.h"
#include "codeobj/concat.h"
#include "codeobj/elf_reader.h"

namespace aotc::codeobj {
namespace {

constexpr std::uint8_t kFormatSval = 4;
constexpr std::uint8_t kAttrMaxThreads = 0x05;
constexpr std::uint8_t kAttrFrameSize = 0x11;
constexpr std::uint8_t kAttrReqNtid = 0x10;
constexpr std::uint8_t kAttrKparamInfo = 0x17;
constexpr std::uint8_t kAttrCbankParamSize = 0x19;
constexpr std::uint8_t kAttrMaxStackSize = 0x23;
constexpr std::uint8_t kAttrRegcount = 0x2f;
constexpr std::uint8_t kStoCudaEntry = 0x10;
constexpr std::uint8_t kSttFunc = 2;
constexpr std::uint64_t kReservedSharedBytes = 1024;

Status apply_kernel_record(const NvInfoRecord& rec, NvKernel& kernel) {
  switch (rec.attribute) {
    case kAttrKparamInfo: {
      ByteReader r(rec.payload);
      r.read<std::uint32_t>();  // index
      NvParam p;
      p.ordinal = r.read<std::uint16_t>();
      p.offset = r.read<std::uint16_t>();
      p.size = r.read<std::uint32_t>() >> 18;
      if (!r.ok()) return make_error("EIATTR_KPARAM_INFO record shorter than 12 bytes");
      kernel.params.push_back(p);
      break;
    }
    case kAttrCbankParamSize:
      kernel.param_bytes = rec.value;
      break;
    case kAttrMaxThreads:
    case kAttrReqNtid: {
      ByteReader r(rec.payload);
      std::uint64_t x = r.read<std::uint32_t>(), y = r.read<std::uint32_t>(),
                    z = r.read<std::uint32_t>();
      if (!r.ok()) return make_error("EIATTR_MAX_THREADS/REQNTID record shorter than 12 bytes");
      // Each dimension is capped first so the product cannot overflow 64 bits.
      constexpr std::uint64_t kCap = 1u << 20;
      std::uint64_t threads = std::min(x, kCap) * std::min(y, kCap) * std::min(z, kCap);
      kernel.max_threads = static_cast<std::uint32_t>(std::min<std::uint64_t>(threads, UINT32_MAX));
      break;
    }
    default:
      break;
  }
  return Status::success();
}

}  // namespace

Result<std::vector<NvInfoRecord>> parse_nv_info(std::span<const std::uint8_t> section) {
  std::vector<NvInfoRecord> records;
  ByteReader r(section);
  while (r.remaining() > 0) {
    std::uint64_t at = r.offset();
    NvInfoRecord rec;
    rec.format = r.read<std::uint8_t>();
    rec.attribute = r.read<std::uint8_t>();
    rec.value = r.read<std::uint16_t>();
    if (!r.ok()) return make_error(concat("truncated record at offset ", at));
    if (rec.format < 1 || rec.format > kFormatSval) {
      return make_error(concat("record at offset ", at, " has unknown format ", int(rec.format)));
    }
    if (rec.format == kFormatSval) {
      rec.payload = r.read_bytes(rec.value);
      if (!r.ok()) {
        return make_error(concat("record at offset ", at, " (attribute 0x", std::hex,
                                 int(rec.attribute), std::dec, "): ", rec.value,
                                 "-byte payload overruns the section"));
      }
    }
    records.push_back(rec);
  }
  return records;
}

Result<CubinInfo> read_cubin(std::span<const std::uint8_t> bytes) {
  auto elf = parse_elf64(bytes);
  if (!elf) return elf.error();
  if (elf->header.machine != kEmCuda) {
    return make_error(concat("not a cubin: e_machine is ", elf->header.machine, ", expected ",
                             kEmCuda, " (EM_CUDA)"));
  }
  CubinInfo info;
  // ELF ABI version 8+ keeps the SM number in bits 8..15 of e_flags, older ones in bits 0..7.
  std::uint32_t sm =
      elf->header.abi_version >= 8 ? (elf->header.flags >> 8) & 0xff : elf->header.flags & 0xff;
  info.arch = concat("sm_", sm);
  info.arch_suffix_unknown = sm >= 90;

  bool reserved_shared =
      std::any_of(elf->sections.begin(), elf->sections.end(),
                  [](const ElfSection& s) { return s.name.starts_with(".nv.shared.reserved."); });
  std::map<std::uint64_t, std::size_t> kernel_by_symbol;
  for (std::size_t i = 0; i < elf->symbols.size(); ++i) {
    const ElfSymbol& sym = elf->symbols[i];
    if (sym.type() != kSttFunc || !(sym.other & kStoCudaEntry)) continue;
    NvKernel k;
    k.name = sym.name;
    if (const ElfSection* s = elf->find_section(".nv.info." + k.name)) {
      auto records = parse_nv_info(s->data);
      if (!records) return records.error().with_context(".nv.info." + k.name);
      for (const NvInfoRecord& rec : *records) {
        if (auto st = apply_kernel_record(rec, k); !st) {
          return st.error().with_context(".nv.info." + k.name);
        }
      }
      std::sort(k.params.begin(), k.params.end(),
                [](const NvParam& a, const NvParam& b) { return a.ordinal < b.ordinal; });
    }
    if (const ElfSection* s = elf->find_section(".nv.shared." + k.name)) {
      k.shared_bytes = s->size;
      if (reserved_shared) k.shared_bytes -= std::min(k.shared_bytes, kReservedSharedBytes);
    }
    kernel_by_symbol[i] = info.kernels.size();
    info.kernels.push_back(std::move(k));
  }

  if (const ElfSection* s = elf->find_section(".nv.info")) {
    auto records = parse_nv_info(s->data);
    if (!records) return records.error().with_context(".nv.info");
    for (const NvInfoRecord& rec : *records) {
      if (rec.attribute != kAttrRegcount && rec.attribute != kAttrFrameSize &&
          rec.attribute != kAttrMaxStackSize) {
        continue;
      }
      ByteReader r(rec.payload);
      std::uint32_t symbol = r.read<std::uint32_t>();
      std::uint32_t value = r.read<std::uint32_t>();
      if (!r.ok()) {
        return make_error(concat(".nv.info: attribute 0x", std::hex, int(rec.attribute),
                                 " record shorter than 8 bytes"));
      }
      auto it = kernel_by_symbol.find(symbol);
      if (it == kernel_by_symbol.end()) continue;  // a device function, not a kernel
      NvKernel& k = info.kernels[it->second];
      if (rec.attribute == kAttrRegcount) k.registers = value;
      if (rec.attribute == kAttrFrameSize) k.local_bytes = value;
      if (rec.attribute == kAttrMaxStackSize) k.max_stack_bytes = value;
    }
  }
  return info;
}

}  // namespace aotc::codeobj
