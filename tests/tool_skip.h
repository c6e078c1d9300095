// What a test does when it cannot run here. A missing tool (clang-22, ptxas, llvm-readelf-22,
// libamdhip64, ...) is a failure where the tools are required (CI configures with
// -DAOTC_REQUIRE_TOOLS=ON, after installing them) and a skip on a developer machine; a machine
// that does not fit the test (it has a GPU driver the test must not find) is always a skip. Skips
// print the marker below, which ctest's SKIP_REGULAR_EXPRESSION turns into "Skipped", so a test
// that did not run is never reported as passed. Callers return right after the call.
#pragma once

#include <catch2/catch.hpp>
#include <string>

namespace aotc::test {

inline constexpr const char* k_skip_marker = "AOTC_TEST_SKIPPED:";

// `what` names the tool and what the test would have done with it.
inline void missing_tool(const std::string& what) {
#ifdef AOTC_REQUIRE_TOOLS
  FAIL("required tool missing (AOTC_REQUIRE_TOOLS=ON): " << what);
#else
  WARN(k_skip_marker << " " << what);
#endif
}

inline void not_applicable(const std::string& why) { WARN(k_skip_marker << " " << why); }

}  // namespace aotc::test
