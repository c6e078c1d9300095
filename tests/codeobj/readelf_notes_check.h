// Compares our reading of an AMDGPU code object with what llvm-readelf-22 prints for it
// (--notes YAML, and the ELF header's ABI version), field by field, with Catch2 checks.
#pragma once

#include <filesystem>

namespace aotc::test {

void check_against_readelf(const std::filesystem::path& hsaco);

}  // namespace aotc::test
