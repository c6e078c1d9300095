#include "build/target_support.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <sstream>

#include "build/subprocess.h"
#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

// Bump when the probe or its file format changes, so older answers are ignored.
constexpr int kProbeFormat = 1;

struct IntroducedIn {
  std::string_view target;
  int llvm_major;
};
// The LLVM release that first knew a target, checked against clang-14, -19 and -22 here. Used
// only to word the error; whether a target builds is always the probe's answer.
constexpr std::array kIntroducedIn = {
    IntroducedIn{"gfx940", 15},         IntroducedIn{"gfx942", 17},
    IntroducedIn{"gfx9-generic", 19},   IntroducedIn{"gfx11-generic", 19},
    IntroducedIn{"gfx12-generic", 19},  IntroducedIn{"gfx1200", 18},
    IntroducedIn{"gfx1201", 18},        IntroducedIn{"gfx950", 20},
    IntroducedIn{"gfx9-4-generic", 20}, IntroducedIn{"sm_100", 20},
    IntroducedIn{"sm_100a", 20},        IntroducedIn{"sm_120", 20},
    IntroducedIn{"sm_120a", 20},
};

// Lists the processors clang accepts for one triple: the tab-indented names after
// "Available CPUs for this target:", filtered to those starting with `prefix`.
Result<std::vector<std::string>> list_cpus(const Toolchain& clang, std::string_view triple,
                                           std::string_view prefix) {
  std::vector<std::string> argv = {clang.path.string(), "--target=" + std::string(triple),
                                   "-nogpulib", "-print-supported-cpus"};
  auto run = run_process(argv);
  if (!run) return run.error();
  if (!run->succeeded()) {
    return make_error(clang.describe("clang") + ": -print-supported-cpus for " +
                      std::string(triple) + " " + run->describe_exit() + ": " + run->output);
  }
  std::vector<std::string> cpus;
  std::istringstream lines(run->output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '\t') continue;
    std::string name = line.substr(line.find_first_not_of('\t'));
    if (name.starts_with(prefix)) cpus.push_back(name);
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

std::string identity_key(const Toolchain& clang) {
  TaggedHasher hasher;
  hasher.add("probe-format", std::to_string(kProbeFormat));
  hasher.add("path", clang.path.string());
  hasher.add("version", clang.version_line);
  return hasher.hex_digest();
}

std::optional<TargetSupport> read_cached(const fs::path& file) {
  auto text = read_file_text(file, 1 << 20);
  if (!text) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  auto amd = json.find("amd");
  auto nvidia = json.find("nvidia");
  if (amd == json.end() || nvidia == json.end() || !amd->is_array() || !nvidia->is_array()) {
    return std::nullopt;
  }
  TargetSupport support;
  for (const auto& name : *amd) {
    if (!name.is_string()) return std::nullopt;
    support.amd.push_back(name.get<std::string>());
  }
  for (const auto& name : *nvidia) {
    if (!name.is_string()) return std::nullopt;
    support.nvidia.push_back(name.get<std::string>());
  }
  return support;
}

}  // namespace

bool is_generic_target(std::string_view target) { return target.ends_with("-generic"); }

bool TargetSupport::supports(std::string_view target) const {
  const auto& list = target.starts_with("sm_") ? nvidia : amd;
  return std::binary_search(list.begin(), list.end(), target);
}

Result<TargetSupport> probe_targets(const Toolchain& clang,
                                    const std::optional<fs::path>& cache_dir, bool write_cache) {
  std::optional<fs::path> cache_file;
  if (cache_dir) cache_file = toolchain_cache_dir(*cache_dir) / (identity_key(clang) + ".json");
  if (cache_file) {
    if (auto cached = read_cached(*cache_file)) return *cached;
  }

  auto amd = list_cpus(clang, "amdgcn-amd-amdhsa", "gfx");
  if (!amd) return amd.error();
  auto nvidia = list_cpus(clang, "nvptx64-nvidia-cuda", "sm_");
  if (!nvidia) return nvidia.error();
  TargetSupport support{std::move(amd.value()), std::move(nvidia.value())};

  if (cache_file && write_cache) {
    nlohmann::json json = {{"format", kProbeFormat},
                           {"path", clang.path.string()},
                           {"version", clang.version_line},
                           {"amd", support.amd},
                           {"nvidia", support.nvidia}};
    // A failed cache write only costs a probe next time; the answer itself is still good.
    (void)write_file_atomic(*cache_file, json.dump(2) + "\n");
  }
  return support;
}

Status check_target(const Toolchain& clang, const TargetSupport& support, std::string_view target,
                    int code_object_version) {
  auto vendor = vendor_of_target(target);
  if (!vendor) return vendor.error();
  if (!support.supports(target)) {
    auto known = std::find_if(kIntroducedIn.begin(), kIntroducedIn.end(),
                              [&](const IntroducedIn& entry) { return entry.target == target; });
    if (known != kIntroducedIn.end() && clang.major < known->llvm_major) {
      return make_error(std::string(target) + " needs LLVM >= " +
                        std::to_string(known->llvm_major) + "; found " + clang.describe("clang"));
    }
    return make_error(std::string(target) + " is not a target " + clang.describe("clang") +
                      " can build (see `aotc targets`)");
  }
  if (*vendor == Vendor::amd && is_generic_target(target) && code_object_version < 6) {
    return make_error(std::string(target) +
                      " needs code object v6 (options.code_object_version = 6, "
                      "which needs ROCm >= 6.3); the matrix asks for v" +
                      std::to_string(code_object_version));
  }
  return Status::success();
}

}  // namespace aotc
