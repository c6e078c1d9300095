// Real code objects (and a stand-in HIP runtime) for the runtime tests, compiled from
// data/saxpy.hip with the real tools (clang-22, ptxas) into the build tree once and reused by later
// test processes. A missing tool gives an empty path and the caller skips with a WARN naming it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace aotc_test {

// Keys: "gfx942", "gfx90a", "gfx9-4-generic" (hsaco), "bundle" (gfx90a + gfx9-4-generic, plain),
// "bundle-compressed" (same, CCOB), "sm_90a.ptx", "sm_90a.cubin"; and the stand-in HIP runtimes
// "fake-hip-r0600.so" and "fake-hip-r0500.so" built from data/fake_hip.c.
std::filesystem::path kernel_file(const std::string& key);
std::string missing_tool_for(const std::string& key);
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);

}  // namespace aotc_test
