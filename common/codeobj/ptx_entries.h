// Kernel entries of a PTX module: each `.entry`'s parameters with the sizes, alignments and
// offsets the CUDA driver lays them out at (each parameter at the next multiple of its alignment),
// any .maxntid/.reqntid bound, and whether it can wait for the grid launched before it. Used when
// only PTX exists (no ptxas), to cross-check cubins, and to check launch rules that overlap a step
// with the one before it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aotc::codeobj {

struct PtxParam {
  std::string name;
  std::string type;  // ".u64", ".f32", ".b8", ...
  std::uint32_t size = 0;
  std::uint32_t align = 0;
  std::uint32_t offset = 0;
  bool pointer = false;  // declared with .ptr
};

struct PtxEntry {
  std::string name;
  std::vector<PtxParam> params;
  std::uint32_t param_bytes = 0;  // end of the last parameter
  std::uint32_t max_threads = 0;  // product of .maxntid or .reqntid; 0 when not declared
  // griddepcontrol.wait is in the entry's body or in a .func it calls (directly or through other
  // functions); an indirect call, or a call of a function whose body the module lacks, counts as
  // one that may wait. False: no path of the kernel waits for the prior grid, so a launch
  // overlapping that grid could read its results too early.
  bool waits_for_prior_grid = false;
};

struct PtxModule {
  std::string version;  // .version
  std::string target;   // .target, e.g. "sm_90a"
  std::vector<PtxEntry> entries;
};

// Parses the directives we need; errors name the line and the offending text.
Result<PtxModule> read_ptx(std::string_view text);

}  // namespace aotc::codeobj
