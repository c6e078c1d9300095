// One libFuzzer target; CMake builds it once per entry with AOTC_FUZZ_TARGET set to the target's
// name (see CMakeLists.txt), so the targets differ only in which entry point they call.
#include <cstdlib>

#include "fuzz_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const aotc::fuzz::FuzzEntry entry = aotc::fuzz::fuzz_entry_for(AOTC_FUZZ_TARGET);
  if (!entry) std::abort();
  entry({data, size});
  return 0;
}
