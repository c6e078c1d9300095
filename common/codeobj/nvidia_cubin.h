// What a CUDA cubin (ELF64, EM_CUDA) says about its kernels: parameter layout from each kernel's
// .nv.info.<kernel> section, registers and stack from the shared .nv.info section, static shared
// memory from .nv.shared.<kernel>. Enough for the launcher to check arguments and for the
// manifest; the record formats are documented in docs/CODE_OBJECTS.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc::codeobj {

struct NvParam {
  std::uint32_t ordinal = 0;
  std::uint32_t offset = 0;  // byte offset in the parameter buffer
  std::uint32_t size = 0;
};

struct NvKernel {
  std::string name;
  std::vector<NvParam> params;        // by ordinal
  std::uint32_t param_bytes = 0;      // EIATTR_CBANK_PARAM_SIZE
  std::uint32_t registers = 0;        // EIATTR_REGCOUNT
  std::uint64_t shared_bytes = 0;     // static shared memory, as ptxas -v reports it
  std::uint32_t local_bytes = 0;      // EIATTR_FRAME_SIZE: per-thread stack frame
  std::uint32_t max_stack_bytes = 0;  // EIATTR_MAX_STACK_SIZE (0 when there are no calls)
  std::uint32_t max_threads = 0;      // product of .maxntid/.reqntid; 0 when not declared
};

struct CubinInfo {
  std::string arch;  // "sm_90", from e_flags
  // True from sm_90 on: e_flags holds only the SM number, identical for sm_90 and sm_90a (and the
  // "f" family targets), so the ELF alone cannot tell which one the cubin was built for.
  bool arch_suffix_unknown = false;
  std::vector<NvKernel> kernels;  // symbol-table order
};

// One .nv.info record: format (1 NVAL, 2 BVAL, 3 HVAL, 4 SVAL), attribute, and either the 16-bit
// inline value or (SVAL) the payload.
struct NvInfoRecord {
  std::uint8_t format = 0;
  std::uint8_t attribute = 0;
  std::uint16_t value = 0;
  std::span<const std::uint8_t> payload;
};

// Splits an .nv.info section into records; errors on unknown formats and truncated payloads.
Result<std::vector<NvInfoRecord>> parse_nv_info(std::span<const std::uint8_t> section);

Result<CubinInfo> read_cubin(std::span<const std::uint8_t> bytes);

}  // namespace aotc::codeobj
