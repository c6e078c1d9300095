// A kernel's explicit argument layout as its code object records it, and the check of a
// caller's packed layout against it. AMD: the explicit (non-hidden) args of the metadata note;
// NVIDIA: the cubin's parameter info or the PTX .entry's .param list.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "aotc/runtime.h"
#include "status.h"

namespace aotc::runtime {

using ArgumentLayouts = std::map<std::string, std::vector<aotc_arg_layout>, std::less<>>;

// Every kernel's explicit arguments in `image` ("hsaco", "cubin" or "ptx" bytes), keyed by the
// entry name a launch uses. AOTC_ERROR_BAD_IMAGE when the code object cannot be read.
StatusPtr read_argument_layouts(std::span<const std::uint8_t> image, std::string_view format,
                                ArgumentLayouts* out);

// AOTC_ERROR_INVALID_ARGUMENT naming the first disagreement: the count, or the argument index
// with expected and found offset and size.
StatusPtr check_argument_layout(std::span<const aotc_arg_layout> expected,
                                std::span<const aotc_arg_layout> found);

}  // namespace aotc::runtime
