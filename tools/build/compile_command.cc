#include "build/compile_command.h"

#include "core/hashing.h"

namespace aotc {

namespace {

// clang names a per-compile unique id (CUID) into every HIP code object (`__hip_cuid_<id>`). Left
// to itself it hashes the command line, which names our temporary output and dependency files, so
// identical inputs gave different objects from build to build. The id only has to differ between
// translation units linked together; the variant and target say which one this is.
std::string cuid_flag(const Variant& variant, const std::string& target) {
  return "-cuid=" + sha256_hex("aotc-cuid\n" + variant.name + "\n" + target).substr(0, 16);
}

}  // namespace

std::vector<std::string> compile_flags(const Matrix& matrix, const Variant& variant,
                                       const std::string& target, Vendor vendor) {
  const KernelSpec& kernel = matrix.kernels.at(variant.kernel_index);
  std::vector<std::string> flags;
  if (vendor == Vendor::amd) {
    // -c changes nothing in the code object (checked: byte-identical), but compiler launchers
    // (ccache) cache only compile-only commands.
    flags = {"-x",
             "hip",
             "--offload-arch=" + target,
             "-nogpuinc",
             "-nogpulib",
             "--offload-device-only",
             "--no-gpu-bundle-output",
             "-c",
             "-O" + matrix.options.opt_level,
             "-mcode-object-version=" + std::to_string(matrix.options.code_object_version),
             cuid_flag(variant, target)};
  } else {
    flags = {"-x", "cuda", "--cuda-gpu-arch=" + target, "-nocudainc", "-nocudalib",
             "--cuda-device-only", "-O" + matrix.options.opt_level, "-S",
             cuid_flag(variant, target),
             // Device-only compiles use no CUDA headers or libraries (-nocudainc -nocudalib), so
             // clang's warning that the installed CUDA is newer than it knows is noise.
             "-Wno-unknown-cuda-version"};
  }
  for (const auto& dir : kernel.include_dirs) flags.push_back("-I" + dir.string());
  for (const auto& define : variant.defines) flags.push_back("-D" + define.text());
  flags.insert(flags.end(), matrix.options.extra_flags.begin(), matrix.options.extra_flags.end());
  flags.insert(flags.end(), kernel.extra_flags.begin(), kernel.extra_flags.end());
  return flags;
}

std::vector<std::string> portable_flags(const std::vector<std::string>& flags,
                                        const std::filesystem::path& root) {
  const std::string prefix = root.string();
  if (prefix.empty() || prefix == "/") return flags;
  // Where a flag holds a search path: a separate argument, or after an include option's name.
  // Other flags keep the root as written (a define's value may end up in the code object).
  auto path_at = [](const std::string& flag) -> std::size_t {
    if (!flag.starts_with('-')) return 0;
    for (std::string_view option : {"--include-directory=", "-isystem", "-iquote", "-idirafter",
                                    "-include", "-imacros", "-I", "-F"}) {
      if (flag.starts_with(option)) return option.size();
    }
    return std::string::npos;
  };
  std::vector<std::string> portable;
  for (std::string flag : flags) {
    const std::size_t at = path_at(flag);
    if (at != std::string::npos && flag.compare(at, prefix.size(), prefix) == 0) {
      const std::size_t end = at + prefix.size();
      if (end == flag.size()) {
        flag.replace(at, prefix.size(), ".");
      } else if (flag[end] == '/') {
        flag.erase(at, prefix.size() + 1);
      }
    }
    portable.push_back(std::move(flag));
  }
  return portable;
}

std::vector<std::string> clang_command(const std::filesystem::path& clang,
                                       const std::vector<std::string>& flags,
                                       const std::filesystem::path& source,
                                       const std::filesystem::path& depfile,
                                       const std::filesystem::path& output) {
  std::vector<std::string> argv = {clang.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(),
              {"-Wno-unused-command-line-argument", "-MD", "-MF", depfile.string(), "-Xclang",
               "-dependency-file", "-Xclang", depfile.string(), "-Xclang", "-MT", "-Xclang",
               output.string(), source.string(), "-o", output.string()});
  return argv;
}

std::vector<std::string> ptxas_flags(const std::string& target) { return {"-arch=" + target}; }

std::vector<std::string> ptxas_command(const std::filesystem::path& ptxas,
                                       const std::vector<std::string>& flags,
                                       const std::filesystem::path& ptx,
                                       const std::filesystem::path& cubin) {
  std::vector<std::string> argv = {ptxas.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {ptx.string(), "-o", cubin.string()});
  return argv;
}

std::string display_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of(
                                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_=+./,:@%") == std::string::npos;
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

}  // namespace aotc
