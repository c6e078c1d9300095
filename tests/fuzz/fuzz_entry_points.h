// The functions each libFuzzer target calls, shared with the Catch2 corpus replay so the normal
// build exercises exactly what the fuzzers exercised. Each reader must either fail cleanly or
// produce a result that survives the checks here; a violated invariant aborts (test code only).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace aotc::fuzz {

using FuzzEntry = void (*)(std::span<const std::uint8_t>);

void fuzz_elf(std::span<const std::uint8_t> bytes);
void fuzz_amdgpu_metadata(std::span<const std::uint8_t> bytes);
void fuzz_msgpack(std::span<const std::uint8_t> bytes);
void fuzz_bundle(std::span<const std::uint8_t> bytes);
void fuzz_cubin_ptx(std::span<const std::uint8_t> bytes);
// A build matrix as `aotc build` loads it: parse and validate (paths resolve against the source
// tree, as if the matrix sat at its root), every launch rule validated, then expanded.
void fuzz_matrix(std::span<const std::uint8_t> bytes);
// One launch-rule expression: parsed, checked for certain failures, evaluated and emitted as C++.
void fuzz_launch_expression(std::span<const std::uint8_t> bytes);

// The entry for a target name ("elf", "amdgpu_metadata", "msgpack", "bundle", "cubin_ptx",
// "matrix", "launch_expression"); nullptr when there is none. Corpus directories are named after
// targets.
FuzzEntry fuzz_entry_for(std::string_view target);

}  // namespace aotc::fuzz
