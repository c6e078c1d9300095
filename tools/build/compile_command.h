// The commands that turn one variant into one target's code object, in exactly the forms of
// the project reference (REFERENCE.md, "One source for both vendors"):
//   AMD:    clang -x hip --offload-arch=<t> -nogpuinc -nogpulib --offload-device-only
//                 --no-gpu-bundle-output -O<n> -mcode-object-version=<v> -I... -D... src -o
//                 out.hsaco
//   NVIDIA: clang -x cuda --cuda-gpu-arch=<t> -nocudainc -nocudalib --cuda-device-only -O<n> -S
//                 -I... -D... src -o out.ptx ; then ptxas -arch=<t> out.ptx -o out.cubin
// The flag list (everything but the compiler, source, dependency file and outputs) is what the
// cache key and the manifest record.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/target_support.h"
#include "matrix/matrix.h"

namespace aotc {

// Compiler flags for one variant and target, in command order.
std::vector<std::string> compile_flags(const Matrix& matrix, const Variant& variant,
                                       const std::string& target, Vendor vendor);

// The clang command: flags, then the dependency-file request, the source and the output.
// The dependency file lists the source and every file it includes (make syntax).
//
// Why `-Xclang -dependency-file` rather than `-MD -MF`: for an AMD device-only compile the clang
// driver also links (lld), and then drops -MD/-MF as "unused"; the cc1 options work for both
// vendors and every clang since 10.
std::vector<std::string> clang_command(const std::filesystem::path& clang,
                                       const std::vector<std::string>& flags,
                                       const std::filesystem::path& source,
                                       const std::filesystem::path& depfile,
                                       const std::filesystem::path& output);

// ptxas flags (cache key and manifest) and command.
std::vector<std::string> ptxas_flags(const std::string& target);
std::vector<std::string> ptxas_command(const std::filesystem::path& ptxas,
                                       const std::vector<std::string>& flags,
                                       const std::filesystem::path& ptx,
                                       const std::filesystem::path& cubin);

// A command for display only (dry runs, failure reports): each argument shell-quoted where
// needed. Commands are never run through a shell.
std::string display_command(const std::vector<std::string>& argv);

}  // namespace aotc
