// Which of a module's images a device loads. AMD: plain code objects and offload-bundle entries
// are matched by target-id rules (same processor, features absent = any, +/- must equal), an
// exact processor beating its generic target (gfx942 -> gfx9-4-generic). NVIDIA: a cubin built
// for the device's compute capability (sm_90 or the arch-specific sm_90a on a 9.0 device), else
// PTX the driver can JIT (the newest one not above the device; arch-specific PTX only on its own
// compute capability).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aotc/runtime.h"
#include "status.h"

namespace aotc::runtime {

// An aotc_image with its strings copied; the bytes stay the caller's.
struct ImageSource {
  std::string target;
  std::string format;  // "hsaco", "bundle", "cubin", "ptx"
  const void* data = nullptr;
  std::size_t size = 0;
  std::string path;
};

// Checks one caller-supplied descriptor (format known, bytes or path present, target where the
// format needs one) and copies it. Errors are AOTC_ERROR_INVALID_ARGUMENT naming images[index].
StatusPtr copy_image_source(const aotc_image& image, std::size_t index, ImageSource* out);

struct SelectedImage {
  std::vector<std::uint8_t> bytes;  // the code object to hand to the driver (PTX NUL-terminated)
  std::string format;               // "hsaco", "cubin" or "ptx"
  std::string description;          // "images[1] (bundle entry hipv4-amdgcn-amd-amdhsa--gfx942)"
};

// Checks `entry` against every image given as bytes (each code object; each device entry of a
// bundle), which can be read without a device or any I/O: AOTC_ERROR_INVALID_ARGUMENT naming the
// first image without that kernel and the kernels it has, AOTC_ERROR_BAD_IMAGE when one cannot be
// read. Images given by path stay unread until the first load on a device, which checks then.
StatusPtr check_entry_in_memory_images(std::span<const ImageSource> images, std::string_view entry);

// Picks and reads the image for a device of `device_arch` ("gfx942:sramecc+:xnack-", "sm_90").
// AOTC_ERROR_NO_CODE_OBJECT names the device arch and lists every image available;
// AOTC_ERROR_BAD_IMAGE when an image cannot be read or parsed.
StatusPtr select_image(aotc_backend backend, std::string_view device_arch,
                       std::span<const ImageSource> images, SelectedImage* out);

}  // namespace aotc::runtime
