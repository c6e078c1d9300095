#include "fuzz_entry_points.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/byte_reader.h"
#include "codeobj/code_object_metadata.h"
#include "codeobj/elf_reader.h"
#include "codeobj/inspect_report.h"
#include "codeobj/msgpack_decode.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/offload_bundle.h"
#include "codeobj/ptx_entries.h"

namespace aotc::fuzz {
namespace {

void invariant(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

void fuzz_elf(std::span<const std::uint8_t> bytes) {
  auto elf = codeobj::parse_elf64(bytes);
  if (!elf) return;
  // Every span the reader hands out lies inside the input.
  auto inside = [&](std::span<const std::uint8_t> s) {
    return s.empty() ||
           (s.data() >= bytes.data() && s.data() + s.size() <= bytes.data() + bytes.size());
  };
  for (const auto& s : elf->sections) invariant(inside(s.data), "section data outside input");
  for (const auto& n : elf->notes) invariant(inside(n.desc), "note desc outside input");
}

void fuzz_amdgpu_metadata(std::span<const std::uint8_t> bytes) {
  auto object = codeobj::read_amdgpu_code_object(bytes);
  if (!object) return;
  // The JSON the manifest would record must serialise whatever the strings contain.
  auto json = codeobj::amd_metadata_json(*object);
  (void)json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void fuzz_msgpack(std::span<const std::uint8_t> bytes) {
  auto value = codeobj::decode_msgpack(bytes);
  if (!value) return;
  (void)codeobj::kernels_from_metadata(*value);
}

void fuzz_bundle(std::span<const std::uint8_t> bytes) {
  codeobj::BundleFormat format;
  auto entries = codeobj::read_offload_bundle(bytes, format);
  if (!entries) return;
  (void)codeobj::inspect_report(bytes);
  // What we read, we can write and read back unchanged.
  bool has_host = false;
  for (const auto& e : *entries) has_host |= e.id.starts_with("host-");
  auto written = codeobj::write_offload_bundle(*entries, {});
  if (!written) return;  // e.g. too many entries for one 4096-byte header
  auto again = codeobj::read_offload_bundle(*written);
  invariant(again.ok(), "a bundle we wrote does not read back");
  invariant(again->size() == entries->size() + (has_host ? 0 : 1), "entry count changed");
  for (const auto& e : *entries) {
    bool found = false;
    for (const auto& a : *again) found |= a.id == e.id && a.bytes == e.bytes;
    invariant(found, "entry changed in the round trip");
  }
}

void fuzz_cubin_ptx(std::span<const std::uint8_t> bytes) {
  if (auto cubin = codeobj::read_cubin(bytes)) {
    (void)codeobj::cubin_metadata_json(*cubin).dump(-1, ' ', false,
                                                    nlohmann::json::error_handler_t::replace);
  }
  if (auto ptx = codeobj::read_ptx(codeobj::as_chars(bytes))) {
    for (const auto& e : ptx->entries) {
      for (const auto& p : e.params)
        invariant(p.offset + p.size <= e.param_bytes, "param past end");
    }
  }
}

FuzzEntry fuzz_entry_for(std::string_view target) {
  static const std::array<std::pair<std::string_view, FuzzEntry>, 5> kEntries = {{
      {"elf", fuzz_elf},
      {"amdgpu_metadata", fuzz_amdgpu_metadata},
      {"msgpack", fuzz_msgpack},
      {"bundle", fuzz_bundle},
      {"cubin_ptx", fuzz_cubin_ptx},
  }};
  for (const auto& [name, entry] : kEntries) {
    if (name == target) return entry;
  }
  return nullptr;
}

}  // namespace aotc::fuzz
