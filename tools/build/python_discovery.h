// Finding the Python that has Triton, aotc's helper script, and what that Triton is (version,
// install path, backends, API era, Gluon). Found like clang: `--python`, then $AOTC_PYTHON, then
// python3 on PATH. The answer goes into cache keys and the manifest, so another Triton (or
// another helper) never reuses this one's outputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/toolchain_discovery.h"
#include "core/result.h"

namespace aotc {

struct TritonInstall {
  Toolchain python;              // path; version "3.12.3"; version_line "Python 3.12.3"
  std::filesystem::path helper;  // aotc_triton_helper.py
  std::string helper_sha256;
  std::string version;                // Triton's, "3.6.0"
  std::filesystem::path path;         // the triton package directory
  std::vector<std::string> backends;  // "amd", "nvidia"
  std::string api;                    // "constexprs" (3.3+) or "constants" (3.2)
  bool gluon = false;                 // has triton.experimental.gluon._runtime.GluonASTSource
  std::string gluon_problem;          // why not, when not
  std::string python_path_env;        // $PYTHONPATH when probed (it decides what imports)
  std::vector<std::filesystem::path> identity_files;  // change when Triton is reinstalled

  // Triton as the manifest's "compiler": path = the package directory, version = Triton's.
  Toolchain as_compiler() const;
  // "Triton 3.6.0 (/.../site-packages/triton) with Python 3.12.3 (/usr/bin/python3)"
  std::string describe() const;
};

// The Python for Triton kernels: `explicit_path` (--python), else $AOTC_PYTHON, else python3 on
// PATH. An error names what was tried.
Result<std::filesystem::path> find_python(
    const std::optional<std::filesystem::path>& explicit_path);

// The helper script: $AOTC_TRITON_HELPER, else aotc_triton_helper.py beside the running aotc
// executable (the build tree puts it there), else <that directory>/../share/aotc/.
Result<std::filesystem::path> find_triton_helper();

// Runs `python helper --probe` (without a shell) and reads the answer. With `cache_dir` the answer
// is remembered (<cache_dir>/toolchains/triton-<hash>.json), keyed by the Python executable
// (path, size, mtime), the helper's SHA-256 and $PYTHONPATH, and trusted only while every file
// that identifies the Triton install (its package's top-level files and _C/) still has the size
// and mtime it had: a warm build then starts no Python. Errors say what to fix: no Triton
// importable, or a Triton whose compile API lacks what aotc needs.
Result<TritonInstall> probe_triton(const std::filesystem::path& python,
                                   const std::filesystem::path& helper,
                                   const std::optional<std::filesystem::path>& cache_dir);

// find_python + find_triton_helper + probe_triton.
Result<TritonInstall> find_triton(const std::optional<std::filesystem::path>& explicit_python,
                                  const std::optional<std::filesystem::path>& cache_dir);

// The argv that starts the helper in `mode` ("--probe", "--worker"): unbuffered output, no .pyc
// files written into the user's source tree.
std::vector<std::string> helper_command(const TritonInstall& triton, const std::string& mode);

}  // namespace aotc
