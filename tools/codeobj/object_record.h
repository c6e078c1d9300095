// One built code object of one variant, typed: its files and hashes, the compiler that made it,
// what the object says about its kernels, and for Triton objects what launching them takes beyond
// that. The build fills these records, the manifest writer writes them, the manifest reader reads
// them back, and the launcher generator builds its family models from them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codeobj/kernel_metadata.h"

namespace aotc::codeobj {

// The manifest's "compiler" of an object.
struct CompilerIdentity {
  std::string path{};
  std::string version{};
  bool operator==(const CompilerIdentity&) const = default;
};

// A hidden pointer argument Triton appends after the kernel's own.
struct TritonScratch {
  std::string name{};  // "global_scratch", "profile_scratch"
  std::uint64_t size = 0;
  std::uint64_t align = 1;
  bool operator==(const TritonScratch&) const = default;
};

// A Triton object's compile (signature, options), Triton's own metadata file, and what launching
// it takes: the run-time arguments the signature passes, the scratch pointers after them, the
// dynamic shared memory and the num_warps it was compiled for.
struct TritonObjectFacts {
  std::vector<std::string> signature{};  // as text: "*fp16:16", "i32", "64"
  nlohmann::ordered_json options{};      // option name -> value, as resolved for this compile
  std::string metadata_file{};           // Triton's metadata JSON, relative to out/
  std::uint64_t metadata_size = 0;
  std::string metadata_sha256{};
  std::uint64_t runtime_arguments = 0;
  std::vector<TritonScratch> scratch{};
  std::uint64_t shared = 0;
  std::uint64_t num_warps = 0;
  std::string version{};  // Triton's
  bool operator==(const TritonObjectFacts&) const = default;
};

struct ObjectRecord {
  std::string target{};
  std::string vendor{};    // "amd" / "nvidia"
  std::string format{};    // "hsaco", "cubin", or "ptx" (NVIDIA without ptxas)
  std::string file{};      // relative to out/, e.g. "gfx942/<variant>.hsaco"
  std::string ptx_file{};  // NVIDIA with a cubin: the PTX kept beside it; else empty
  std::uint64_t ptx_size = 0;
  std::string ptx_sha256{};
  std::uint64_t size = 0;
  std::string sha256{};
  CompilerIdentity compiler{};
  std::vector<std::string> flags{};
  std::string entry{};  // a Triton object's entry (it holds that kernel alone); empty otherwise
  std::optional<KernelMetadata> metadata{};   // once the metadata phase has read the object
  std::optional<TritonObjectFacts> triton{};  // Triton objects
  bool operator==(const ObjectRecord&) const = default;
};

}  // namespace aotc::codeobj
