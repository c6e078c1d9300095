#include "build/python_discovery.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "build/subprocess.h"
#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHelperName = "aotc_triton_helper.py";
constexpr std::string_view kProbePrefix = "AOTC-PROBE: ";
constexpr int kHelperProtocol = 1;

struct FileStamp {
  std::int64_t size = -1;
  std::string mtime;
};

std::optional<FileStamp> stamp_of(const fs::path& path) {
  struct stat info{};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return FileStamp{
      static_cast<std::int64_t>(info.st_size),
      std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec)};
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::optional<fs::path> probe_cache_file(const fs::path& python, const std::string& helper_sha256,
                                         const std::optional<fs::path>& cache_dir) {
  if (!cache_dir) return std::nullopt;
  std::error_code ec;
  fs::path resolved = fs::canonical(python, ec);
  auto stamp = ec ? std::nullopt : stamp_of(resolved);
  if (!stamp) return std::nullopt;
  TaggedHasher hasher;
  hasher.add("tool", "triton-probe");
  hasher.add("python", python.string());
  hasher.add("resolved", resolved.string());
  hasher.add("size", std::to_string(stamp->size));
  hasher.add("mtime", stamp->mtime);
  hasher.add("helper", helper_sha256);
  for (const char* variable : {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONNOUSERSITE"}) {
    hasher.add(variable, env_or_empty(variable));
  }
  return toolchain_cache_dir(*cache_dir) / ("triton-" + hasher.hex_digest() + ".json");
}

// The remembered probe, if every identity file still has its recorded stamp.
std::optional<nlohmann::json> cached_probe(const std::optional<fs::path>& file) {
  if (!file) return std::nullopt;
  auto text = read_file_text(*file, 1 << 20);
  if (!text) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_object() || !json.contains("probe") || !json.contains("stamps") ||
      !json["stamps"].is_array()) {
    return std::nullopt;
  }
  for (const auto& recorded : json["stamps"]) {
    if (!recorded.is_array() || recorded.size() != 3 || !recorded[0].is_string()) {
      return std::nullopt;
    }
    auto now = stamp_of(recorded[0].get<std::string>());
    if (!now || recorded[1] != now->size || recorded[2] != now->mtime) return std::nullopt;
  }
  return json["probe"];
}

Result<TritonInstall> read_probe(const nlohmann::json& probe, const fs::path& python,
                                 const fs::path& helper, const std::string& helper_sha256) {
  auto text = [&](const char* key) {
    return probe.contains(key) && probe[key].is_string() ? probe[key].get<std::string>()
                                                         : std::string();
  };
  if (probe.value("protocol", 0) != kHelperProtocol) {
    return make_error(helper.string() + ": speaks helper protocol " +
                      std::to_string(probe.value("protocol", 0)) + ", aotc " +
                      std::to_string(kHelperProtocol) + " (a helper from another aotc?)");
  }
  TritonInstall triton;
  triton.python.path = python;
  triton.python.version = text("python_version");
  triton.python.major = std::atoi(triton.python.version.c_str());
  triton.python.version_line = "Python " + triton.python.version;
  triton.helper = helper;
  triton.helper_sha256 = helper_sha256;
  triton.version = text("triton_version");
  triton.path = text("triton_path");
  triton.api = text("api");
  triton.gluon = probe.value("gluon", false);
  triton.gluon_problem = text("gluon_problem");
  triton.python_path_env = env_or_empty("PYTHONPATH");
  if (probe.contains("identity_files") && probe["identity_files"].is_array()) {
    for (const auto& file : probe["identity_files"]) {
      if (file.is_string()) triton.identity_files.emplace_back(file.get<std::string>());
    }
  }
  if (probe.contains("backends") && probe["backends"].is_array()) {
    for (const auto& backend : probe["backends"]) {
      if (backend.is_string()) triton.backends.push_back(backend.get<std::string>());
    }
  }
  if (probe.contains("missing") && probe["missing"].is_array() && !probe["missing"].empty()) {
    std::string missing;
    for (const auto& piece : probe["missing"]) {
      missing += (missing.empty() ? "" : ", ") + piece.get<std::string>();
    }
    return make_error("Triton " + triton.version + " (" + triton.path.string() + ", with " +
                      python.string() + ") lacks what aotc uses of its compile API: " + missing);
  }
  return triton;
}

}  // namespace

Toolchain TritonInstall::as_compiler() const {
  Toolchain tool;
  tool.path = path;
  tool.version = version;
  tool.major = std::atoi(version.c_str());
  tool.version_line = "triton " + version;
  return tool;
}

std::string TritonInstall::describe() const {
  return "Triton " + version + " (" + path.string() + ") with Python " + python.version + " (" +
         python.path.string() + ")";
}

std::vector<std::string> helper_command(const TritonInstall& triton, const std::string& mode) {
  return {triton.python.path.string(), "-u", "-B", triton.helper.string(), mode};
}

Result<fs::path> find_python(const std::optional<fs::path>& explicit_path) {
  auto check = [](const fs::path& requested, const std::string& origin) -> Result<fs::path> {
    auto path = find_executable(requested);
    if (!path) {
      return make_error(origin + ": " + requested.string() +
                        ": no such executable (the Python that has Triton)");
    }
    return *path;
  };
  if (explicit_path) return check(*explicit_path, "--python");
  if (std::string env = env_or_empty("AOTC_PYTHON"); !env.empty()) return check(env, "AOTC_PYTHON");
  if (auto path = find_executable("python3")) return *path;
  return make_error(
      "no Python found for Triton kernels: pass --python PATH, set AOTC_PYTHON, or put python3 "
      "on PATH");
}

Result<fs::path> find_triton_helper() {
  if (std::string env = env_or_empty("AOTC_TRITON_HELPER"); !env.empty()) {
    if (!fs::is_regular_file(env)) {
      return make_error("AOTC_TRITON_HELPER: " + env + ": no such file");
    }
    return fs::absolute(env).lexically_normal();
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return make_error("cannot locate the aotc executable (/proc/self/exe): " + ec.message());
  std::vector<fs::path> candidates = {exe.parent_path() / kHelperName,
                                      exe.parent_path() / ".." / "share" / "aotc" / kHelperName};
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal();
  }
  return make_error("aotc's Triton helper (" + std::string(kHelperName) + ") is not beside " +
                    exe.string() + " nor in ../share/aotc; set AOTC_TRITON_HELPER");
}

Result<TritonInstall> probe_triton(const fs::path& python, const fs::path& helper,
                                   const std::optional<fs::path>& cache_dir) {
  auto helper_sha256 = sha256_hex_of_file(helper);
  if (!helper_sha256) return helper_sha256.error();
  auto cache_file = probe_cache_file(python, *helper_sha256, cache_dir);
  if (auto cached = cached_probe(cache_file)) {
    return read_probe(*cached, python, helper, *helper_sha256);
  }
  TritonInstall shape;
  shape.python.path = python;
  shape.helper = helper;
  auto run = run_process(helper_command(shape, "--probe"));
  if (!run) return run.error();
  std::string probe_line;
  for (std::size_t start = 0; start < run->output.size();) {
    std::size_t end = run->output.find('\n', start);
    std::string line = run->output.substr(start, end - start);
    if (line.starts_with(kProbePrefix)) probe_line = line.substr(kProbePrefix.size());
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (!run->succeeded() || probe_line.empty()) {
    std::string output = run->output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return make_error(python.string() + " " + helper.filename().string() + " --probe " +
                      run->describe_exit() + ": " + output +
                      " (the Python for Triton kernels: --python, $AOTC_PYTHON, else python3)");
  }
  auto probe = nlohmann::json::parse(probe_line, nullptr, false);
  if (!probe.is_object()) {
    return make_error(helper.string() +
                      " --probe: unreadable answer: " + probe_line.substr(0, 200));
  }
  auto triton = read_probe(probe, python, helper, *helper_sha256);
  if (triton && cache_file) {
    nlohmann::json stamps = nlohmann::json::array();
    bool complete = probe.contains("identity_files") && probe["identity_files"].is_array();
    for (const auto& file : complete ? probe["identity_files"] : nlohmann::json::array()) {
      auto stamp = file.is_string() ? stamp_of(file.get<std::string>()) : std::nullopt;
      if (!stamp) {
        complete = false;
        break;
      }
      stamps.push_back({file, stamp->size, stamp->mtime});
    }
    if (complete && !stamps.empty()) {
      // A failed write only costs a probe next time.
      (void)write_file_atomic(*cache_file,
                              nlohmann::json{{"probe", probe}, {"stamps", stamps}}.dump() + "\n");
    }
  }
  return triton;
}

Result<TritonInstall> find_triton(const std::optional<fs::path>& explicit_python,
                                  const std::optional<fs::path>& cache_dir) {
  auto python = find_python(explicit_python);
  if (!python) return python.error();
  auto helper = find_triton_helper();
  if (!helper) return helper.error();
  return probe_triton(*python, *helper, cache_dir);
}

}  // namespace aotc
