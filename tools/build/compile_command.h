// The commands that turn one variant into one target's code object, in exactly the forms of
// the project reference (REFERENCE.md, "One source for both vendors"):
//   AMD:    clang -x hip --offload-arch=<t> -nogpuinc -nogpulib --offload-device-only
//                 --no-gpu-bundle-output -c -O<n> -mcode-object-version=<v> -I... -D... src -o
//                 out.hsaco
//   NVIDIA: clang -x cuda --cuda-gpu-arch=<t> -nocudainc -nocudalib --cuda-device-only -O<n> -S
//                 -I... -D... src -o out.ptx ; then ptxas -arch=<t> out.ptx -o out.cubin
// The flag list (everything but the compiler, source, dependency file and outputs) is what the
// cache key and the manifest record (as portable_flags writes it).
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

// `flags` with every path inside `root` written relative to it (`-I/src/app/kernels` ->
// `-Ikernels`, `-I/src/app` -> `-I.`): what cache keys and the manifest record, so they are the
// same for every checkout of a project, wherever it lives.
std::vector<std::string> portable_flags(const std::vector<std::string>& flags,
                                        const std::filesystem::path& root);

// The clang command: flags, then the dependency-file request, the source and the output.
// The dependency file lists the source and every file it includes (make syntax).
//
// The request is `-MD -MF <d> -Xclang -dependency-file -Xclang <d> -Xclang -MT -Xclang <out>`,
// both spellings on purpose (checked with clang-22 and clang-19, ccache 4.7):
//  - the cc1 options are what makes the file: for an AMD device-only compile the clang driver
//    also links (lld) and drops -MD/-MF as unused (hence -Wno-unused-command-line-argument);
//  - -MD -MF is what a compiler launcher understands: ccache then caches the file with the
//    object and restores it on a hit (the cc1 spelling alone, it would not: Ninja would lose the
//    compile's headers), and it keeps the cc1 options in its preprocessor run, which needs -MT.
// The file may name its target twice ("out out: ..."); make and Ninja read that as one.
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
