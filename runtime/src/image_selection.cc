#include "image_selection.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "codeobj/offload_bundle.h"
#include "codeobj/target_id.h"
#include "core/atomic_file.h"
#include "kernel_arguments.h"

namespace aotc::runtime {
namespace {

constexpr std::string_view kFormats[] = {"hsaco", "bundle", "cubin", "ptx"};

bool is_amd_format(std::string_view format) { return format == "hsaco" || format == "bundle"; }

std::string image_name(std::size_t index) { return "images[" + std::to_string(index) + "]"; }

StatusPtr read_image_bytes(const ImageSource& image, std::size_t index,
                           std::vector<std::uint8_t>* out) {
  if (image.data) {
    const auto* begin = static_cast<const std::uint8_t*>(image.data);
    out->assign(begin, begin + image.size);
    return nullptr;
  }
  auto bytes = aotc::read_file_bytes(image.path);
  if (!bytes) {
    return status_from_error(AOTC_ERROR_BAD_IMAGE, bytes.error().with_context(image_name(index)));
  }
  *out = std::move(bytes).value();
  return nullptr;
}

// A code object that could be loaded, with where it came from.
struct Candidate {
  std::size_t image = 0;
  std::string target;               // target id or sm_XY as written
  std::string bundle_entry;         // entry id when it comes from a bundle
  std::vector<std::uint8_t> bytes;  // filled for bundle entries (the bundle had to be read)

  std::string describe(const ImageSource& source) const {
    std::string text = image_name(image) + " (";
    text += bundle_entry.empty() ? target + " " + source.format : "bundle entry " + bundle_entry;
    if (!source.path.empty()) text += ", " + source.path;
    return text + ")";
  }
};

std::string list_available(std::span<const Candidate> candidates,
                           std::span<const ImageSource> images) {
  if (candidates.empty()) return "none";
  std::string text;
  for (const Candidate& candidate : candidates) {
    if (!text.empty()) text += ", ";
    text += candidate.describe(images[candidate.image]);
  }
  return text;
}

// Every image's code objects, with each bundle opened to list its device entries (on HIP only:
// bundles hold AMD code, so CUDA lists them unopened). Host entries (size 0) and entries for
// other offload kinds are not code objects for a device.
StatusPtr collect_candidates(std::span<const ImageSource> images, bool open_bundles,
                             std::vector<Candidate>* candidates) {
  for (std::size_t i = 0; i < images.size(); ++i) {
    const ImageSource& image = images[i];
    if (image.format != "bundle" || !open_bundles) {
      candidates->push_back(
          Candidate{i, image.format == "bundle" ? "AMD offload" : image.target, {}, {}});
      continue;
    }
    std::vector<std::uint8_t> bytes;
    if (auto status = read_image_bytes(image, i, &bytes)) return status;
    auto entries = codeobj::read_offload_bundle(bytes);
    if (!entries) {
      return status_from_error(AOTC_ERROR_BAD_IMAGE,
                               entries.error().with_context(image_name(i) + " (bundle)"));
    }
    for (codeobj::BundleEntry& entry : *entries) {
      if (!entry.id.starts_with("hip")) continue;
      candidates->push_back(Candidate{i, entry.id, entry.id, std::move(entry.bytes)});
    }
  }
  return nullptr;
}

int pick_amd(std::span<const Candidate> candidates, std::span<const ImageSource> images,
             std::string_view device_arch, StatusPtr* error) {
  auto device = codeobj::parse_target_id(device_arch);
  if (!device) {
    *error = status_from_error(
        AOTC_ERROR_DRIVER,
        device.error().with_context("device arch \"" + std::string(device_arch) + "\""));
    return -1;
  }
  // Only AMD candidates take part; their positions map back into `candidates`.
  std::vector<codeobj::TargetId> ids;
  std::vector<int> positions;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!is_amd_format(images[candidates[i].image].format)) continue;
    auto id = codeobj::parse_target_id(candidates[i].target);
    if (!id) {
      *error = status_from_error(
          AOTC_ERROR_BAD_IMAGE,
          id.error().with_context(candidates[i].describe(images[candidates[i].image])));
      return -1;
    }
    ids.push_back(std::move(id).value());
    positions.push_back(static_cast<int>(i));
  }
  int best = codeobj::pick_best_code_object(ids, *device);
  return best < 0 ? -1 : positions[best];
}

// "sm_90", "sm_90a", "sm_100f" (and "compute_90" for PTX): the compute capability as a number
// and the arch-specific ('a') or family ('f') suffix.
struct NvidiaArch {
  int number = 0;
  char suffix = 0;
};

std::optional<NvidiaArch> parse_nvidia_arch(std::string_view text) {
  for (std::string_view prefix : {"sm_", "compute_"}) {
    if (!text.starts_with(prefix)) continue;
    text.remove_prefix(prefix.size());
    NvidiaArch arch;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), arch.number);
    if (error != std::errc() || end == text.data()) return std::nullopt;
    std::string_view rest(end, text.data() + text.size() - end);
    if (rest.size() > 1 || (rest.size() == 1 && rest[0] != 'a' && rest[0] != 'f')) {
      return std::nullopt;
    }
    if (!rest.empty()) arch.suffix = rest[0];
    return arch;
  }
  return std::nullopt;
}

// Higher is better; 0 means the image cannot run on the device. A cubin runs only on its own
// compute capability here (the arch-specific and family forms included); PTX JIT-compiles
// forward, except arch-specific and family PTX, which only their own compute capability takes.
int nvidia_rank(std::string_view format, const NvidiaArch& image, const NvidiaArch& device) {
  if (format == "cubin") return image.number == device.number ? 100000 : 0;
  if (format != "ptx") return 0;
  if (image.suffix != 0) return image.number == device.number ? image.number : 0;
  return image.number <= device.number ? image.number : 0;
}

int pick_nvidia(std::span<const Candidate> candidates, std::span<const ImageSource> images,
                std::string_view device_arch) {
  auto device = parse_nvidia_arch(device_arch);
  if (!device) return -1;
  int best = -1;
  int best_rank = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    auto arch = parse_nvidia_arch(candidates[i].target);
    if (!arch) continue;
    int rank = nvidia_rank(images[candidates[i].image].format, *arch, *device);
    if (rank > best_rank) {
      best_rank = rank;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace

StatusPtr copy_image_source(const aotc_image& image, std::size_t index, ImageSource* out) {
  auto invalid = [&](const std::string& what) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, image_name(index) + ": " + what);
  };
  std::string_view format = image.format ? image.format : "";
  if (std::find(std::begin(kFormats), std::end(kFormats), format) == std::end(kFormats)) {
    return invalid("format \"" + std::string(format) +
                   "\" is not one of hsaco, bundle, cubin, ptx");
  }
  if (!image.data && !image.path) return invalid("has neither data nor path");
  if (image.data && image.size == 0) return invalid("has data but size 0");
  if (format != "bundle" && (!image.target || !*image.target)) {
    return invalid("a " + std::string(format) + " image needs its target");
  }
  *out = ImageSource{image.target ? image.target : "", std::string(format), image.data, image.size,
                     image.path && !image.data ? image.path : ""};
  return nullptr;
}

StatusPtr check_entry_in_memory_images(std::span<const ImageSource> images,
                                       std::string_view entry) {
  auto check = [&](std::span<const std::uint8_t> bytes, std::string_view format,
                   const std::string& where) -> StatusPtr {
    ArgumentLayouts kernels;
    if (auto status = read_argument_layouts(bytes, format, &kernels)) {
      return with_context(std::move(status), where);
    }
    if (kernels.contains(entry)) return nullptr;
    std::string names;
    for (const auto& [name, layout] : kernels) names += (names.empty() ? "" : ", ") + name;
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       where + " has no kernel " + std::string(entry) +
                           "; it has: " + (names.empty() ? "none" : names));
  };
  for (std::size_t i = 0; i < images.size(); ++i) {
    const ImageSource& image = images[i];
    if (!image.data) continue;
    std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(image.data), image.size);
    if (image.format != "bundle") {
      if (auto status = check(bytes, image.format,
                              image_name(i) + " (" + image.target + " " + image.format + ")")) {
        return status;
      }
      continue;
    }
    auto entries = codeobj::read_offload_bundle(bytes);
    if (!entries) {
      return status_from_error(AOTC_ERROR_BAD_IMAGE,
                               entries.error().with_context(image_name(i) + " (bundle)"));
    }
    for (const codeobj::BundleEntry& bundled : *entries) {
      if (bundled.bytes.empty() || bundled.id.starts_with("host-")) continue;
      if (auto status =
              check(bundled.bytes, "hsaco", image_name(i) + " (bundle entry " + bundled.id + ")")) {
        return status;
      }
    }
  }
  return nullptr;
}

StatusPtr select_image(aotc_backend backend, std::string_view device_arch,
                       std::span<const ImageSource> images, SelectedImage* out) {
  std::vector<Candidate> candidates;
  if (auto status = collect_candidates(images, backend == AOTC_BACKEND_HIP, &candidates)) {
    return status;
  }
  StatusPtr error;
  int chosen = backend == AOTC_BACKEND_HIP ? pick_amd(candidates, images, device_arch, &error)
                                           : pick_nvidia(candidates, images, device_arch);
  if (error) return error;
  if (chosen < 0) {
    return make_status(AOTC_ERROR_NO_CODE_OBJECT,
                       "no code object fits a " + std::string(device_arch) +
                           " device; available: " + list_available(candidates, images));
  }
  Candidate& candidate = candidates[chosen];
  const ImageSource& source = images[candidate.image];
  out->description = candidate.describe(source);
  if (candidate.bundle_entry.empty()) {
    if (auto status = read_image_bytes(source, candidate.image, &candidate.bytes)) return status;
    out->format = source.format;
  } else {
    out->format = "hsaco";
  }
  out->bytes = std::move(candidate.bytes);
  // cuModuleLoadData reads PTX as a C string.
  if (out->format == "ptx" && (out->bytes.empty() || out->bytes.back() != 0)) {
    out->bytes.push_back(0);
  }
  return nullptr;
}

}  // namespace aotc::runtime
