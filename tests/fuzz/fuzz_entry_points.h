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

// The entry for a target name ("elf", "amdgpu_metadata", "msgpack", "bundle", "cubin_ptx");
// nullptr when there is none. Corpus directories are named after targets.
FuzzEntry fuzz_entry_for(std::string_view target);

}  // namespace aotc::fuzz
