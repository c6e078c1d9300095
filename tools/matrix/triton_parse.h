// Validating what a Triton kernel adds to a kernel object (internal to aotc_matrix; the public
// entry point is parse_matrix in matrix_parse.h): "language", entries as objects with signature
// and options, "python" (import roots and stubs) and "derived" values. docs/MATRIX.md, "Triton
// and Gluon kernels".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "matrix/json_checks.h"
#include "matrix/matrix.h"

namespace aotc {

// kernels[k].language: "hip" (the default) or "triton".
KernelLanguage parse_language(const OrderedJson& node, const JsonPath& path, Problems& problems);

// kernels[k].entries of a Triton kernel: objects {"name", "signature", "options"}. Fills
// kernel.entries (the names) and kernel.triton.entries.
void parse_triton_entries(const OrderedJson& node, const JsonPath& path, KernelSpec& kernel,
                          Problems& problems);

// kernels[k].python: {"path": [directories], "stubs": [module names]}; paths resolve like
// include_dirs, against `root`.
void parse_triton_python(const OrderedJson& node, const JsonPath& path,
                         const std::filesystem::path& root, KernelSpec& kernel, Problems& problems);

// kernels[k].derived: name -> {"from": "target" | axis, "values": {key: text}}. Needs the
// kernel's axes (parsed first) and the targets it is built for.
void parse_triton_derived(const OrderedJson& node, const JsonPath& path,
                          const std::vector<std::string>& targets, KernelSpec& kernel,
                          Problems& problems);

// Checks every {NAME} in signatures, options and derived values names a define macro of an axis
// or a derived value, that derived values do not refer to each other in a cycle, and that
// signature elements without placeholders are valid Triton arguments. `path` is the kernel's.
void check_triton_kernel(const KernelSpec& kernel, const JsonPath& path, Problems& problems);

}  // namespace aotc
