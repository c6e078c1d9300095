#include "kernel_arguments.h"

#include <cstring>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/ptx_entries.h"

namespace aotc::runtime {
namespace {

StatusPtr read_amd_layouts(std::span<const std::uint8_t> image, ArgumentLayouts* out) {
  auto code_object = codeobj::read_amdgpu_code_object(image);
  if (!code_object) return status_from_error(AOTC_ERROR_BAD_IMAGE, code_object.error());
  for (const codeobj::AmdKernel& kernel : code_object->kernels) {
    std::vector<aotc_arg_layout>& layout = (*out)[kernel.name];
    for (const codeobj::KernelArg& arg : kernel.args) {
      // Hidden arguments are filled by the HIP runtime, never by the caller.
      if (arg.hidden()) continue;
      layout.push_back(aotc_arg_layout{static_cast<std::uint32_t>(arg.offset),
                                       static_cast<std::uint32_t>(arg.size)});
    }
  }
  return nullptr;
}

StatusPtr read_cubin_layouts(std::span<const std::uint8_t> image, ArgumentLayouts* out) {
  auto cubin = codeobj::read_cubin(image);
  if (!cubin) return status_from_error(AOTC_ERROR_BAD_IMAGE, cubin.error());
  for (const codeobj::NvKernel& kernel : cubin->kernels) {
    std::vector<aotc_arg_layout>& layout = (*out)[kernel.name];
    for (const codeobj::NvParam& param : kernel.params) {
      layout.push_back(aotc_arg_layout{param.offset, param.size});
    }
  }
  return nullptr;
}

StatusPtr read_ptx_layouts(std::span<const std::uint8_t> image, ArgumentLayouts* out) {
  // The selected PTX image carries a terminating NUL for the driver; the parser reads text.
  std::string_view text(reinterpret_cast<const char*>(image.data()), image.size());
  if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  auto ptx = codeobj::read_ptx(text);
  if (!ptx) return status_from_error(AOTC_ERROR_BAD_IMAGE, ptx.error());
  for (const codeobj::PtxEntry& entry : ptx->entries) {
    std::vector<aotc_arg_layout>& layout = (*out)[entry.name];
    for (const codeobj::PtxParam& param : entry.params) {
      layout.push_back(aotc_arg_layout{param.offset, param.size});
    }
  }
  return nullptr;
}

}  // namespace

StatusPtr read_argument_layouts(std::span<const std::uint8_t> image, std::string_view format,
                                ArgumentLayouts* out) {
  if (format == "hsaco") return read_amd_layouts(image, out);
  if (format == "cubin") return read_cubin_layouts(image, out);
  return read_ptx_layouts(image, out);
}

StatusPtr check_argument_layout(std::span<const aotc_arg_layout> expected,
                                std::span<const aotc_arg_layout> found) {
  if (expected.size() == found.size() &&
      (expected.empty() ||
       std::memcmp(expected.data(), found.data(), expected.size_bytes()) == 0)) {
    return nullptr;
  }
  if (expected.size() != found.size()) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       "argument count: the code object has " + std::to_string(expected.size()) +
                           ", the launch passes " + std::to_string(found.size()));
  }
  std::size_t i = 0;
  while (expected[i].offset == found[i].offset && expected[i].size == found[i].size) ++i;
  auto describe = [](const aotc_arg_layout& arg) {
    return "offset " + std::to_string(arg.offset) + " size " + std::to_string(arg.size);
  };
  return make_status(AOTC_ERROR_INVALID_ARGUMENT, "argument " + std::to_string(i) + ": expected " +
                                                      describe(expected[i]) + ", found " +
                                                      describe(found[i]));
}

}  // namespace aotc::runtime
