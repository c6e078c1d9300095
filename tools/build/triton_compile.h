// One Triton compile — an entry of a variant for a target — from the matrix to aotc's helper
// (tools/triton/aotc_triton_helper.py) and back: placeholders resolved and signature elements
// parsed, the request line the helper reads, and its reply.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codeobj/object_record.h"
#include "core/result.h"
#include "matrix/matrix.h"
#include "matrix/triton_signature.h"

namespace aotc {

struct TritonCompile {
  std::size_t entry = 0;             // index into KernelSpec::entries / triton.entries
  std::vector<TritonArg> signature;  // resolved; trailing defaulted parameters may be absent
  nlohmann::ordered_json options;    // option name -> value, resolved
};

// Fills the {NAME} placeholders of entry `entry` for `variant` and `target` from the variant's
// defines and the kernel's derived values, and parses the result. Errors read
// "<matrix>: kernels[0].entries[1].signature[2]: expected <a Triton argument ...>, found "*f16"
// (variant splitk.fp16.m64, target gfx942)".
Result<TritonCompile> resolve_triton_compile(const Matrix& matrix, const Variant& variant,
                                             std::size_t entry, const std::string& target);

// The signature as text ("*fp16:16", "i32", "64"), for the cache key and the manifest.
std::vector<std::string> signature_text(const TritonCompile& compile);

// A guess at the compile's relative cost before any build has timed it: the product of the
// signature's integer constexprs (tile sizes, query rows, group sizes: what Triton unrolls), 1
// when there are none. Comparable between compiles of one entry only.
double constexpr_size(const TritonCompile& compile);

// One request line for the helper (no trailing newline). `outputs` maps each output kind
// ("triton.json", "hsaco", "ptx", "cubin") to the file the helper writes it to.
std::string triton_request(std::uint64_t id, const KernelSpec& kernel, const TritonCompile& compile,
                           const std::string& target,
                           const std::map<std::string, std::filesystem::path>& outputs);

struct TritonReply {
  bool ok = false;
  std::string error;    // one line: what failed (the helper's message or Python's exception)
  std::string details;  // a Python traceback for unexpected failures; empty otherwise
  std::vector<std::filesystem::path> dependencies;  // the kernel file, then local modules
  std::vector<std::string> runtime_params;          // the kernel's non-constexpr parameters
  std::vector<codeobj::TritonScratch> scratch;      // what Triton's metadata reports
  bool gluon = false;
};

// Reads one reply line; an Error when it is not what the helper writes.
Result<TritonReply> parse_triton_reply(std::string_view line);

}  // namespace aotc
