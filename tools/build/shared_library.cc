#include "build/shared_library.h"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "build/subprocess.h"
#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kRuntimeLibrary = "libaotc_runtime.so";

struct RuntimeDirs {
  fs::path include;
  fs::path library;
};

// An installed aotc (cmake --install) finds the runtime installed with it, relative to its own
// executable, so a relocated prefix works without --runtime-*-dir; a build tree's aotc, where
// ../include holds no runtime header, uses the runtime it was built with.
RuntimeDirs default_runtime_dirs() {
  std::error_code ec;
  const fs::path prefix = fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path();
  const RuntimeDirs installed{prefix / AOTC_INSTALL_INCLUDEDIR, prefix / AOTC_INSTALL_LIBDIR};
  if (!ec && fs::is_regular_file(installed.include / "aotc" / "runtime.h", ec) &&
      fs::exists(installed.library / kRuntimeLibrary, ec)) {
    return installed;
  }
  return {AOTC_RUNTIME_INCLUDE_DIR, AOTC_RUNTIME_LIBRARY_DIR};
}

RuntimeDirs runtime_dirs(const SharedLibraryOptions& options) {
  if (options.runtime_include_dir && options.runtime_library_dir) {
    return {*options.runtime_include_dir, *options.runtime_library_dir};
  }
  RuntimeDirs dirs = default_runtime_dirs();
  if (options.runtime_include_dir) dirs.include = *options.runtime_include_dir;
  if (options.runtime_library_dir) dirs.library = *options.runtime_library_dir;
  return dirs;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string command;
  for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
  return command;
}

// Hashes a file's content under `name`, its path relative to where the command finds it (an
// absolute path would tie the key to the folder).
Status add_file(TaggedHasher& hasher, std::string_view tag, const fs::path& base,
                const fs::path& name) {
  auto hash = sha256_hex_of_file(base / name);
  if (!hash) return hash.error();
  hasher.add(tag, name.string());
  hasher.add("sha256", *hash);
  return Status::success();
}

// The files `.incbin "<path>"` lines of an embed.S name, as written there: the assembler finds
// them through the command's -I out/include (the folder above the embed.S's own).
Result<std::vector<fs::path>> embedded_files(const fs::path& embed_s) {
  auto text = read_file_text(embed_s);
  if (!text) return text.error();
  static const std::regex incbin(R"re(^\s*\.incbin\s+"([^"]+)")re", std::regex::multiline);
  std::vector<fs::path> files;
  for (auto it = std::sregex_iterator(text->begin(), text->end(), incbin);
       it != std::sregex_iterator(); ++it) {
    files.push_back((*it)[1].str());
  }
  return files;
}

}  // namespace

fs::path shared_library_file(const std::string& kernel) {
  return fs::path("lib") / ("lib" + kernel + "_aotc.so");
}

std::vector<std::string> shared_library_command(const SharedLibraryOptions& options,
                                                const fs::path& out_dir, const std::string& kernel,
                                                const fs::path& output) {
  const char* env_cxx = std::getenv("CXX");
  const std::string cxx = options.cxx                                ? options.cxx->string()
                          : env_cxx != nullptr && env_cxx[0] != '\0' ? std::string(env_cxx)
                                                                     : std::string("c++");
  const fs::path include = out_dir / "include";
  const fs::path generated = include / "aotc";
  const RuntimeDirs runtime = runtime_dirs(options);
  // Only the C ABI is exported (-fvisibility=hidden; the C header marks its functions default),
  // so two family libraries in one process cannot bind each other's C++ symbols. The runtime's
  // headers come before out/include: an out/ written by an older aotc may still hold its generated
  // launcher_support.h until this build finishes.
  return {cxx,
          "-std=c++17",
          "-O2",
          "-fPIC",
          "-shared",
          "-fvisibility=hidden",
          "-pthread",
          "-I" + runtime.include.string(),
          "-I" + include.string(),
          (generated / (kernel + "_launcher.cc")).string(),
          (generated / (kernel + "_capi.cc")).string(),
          (generated / (kernel + "_embed.S")).string(),
          "-L" + runtime.library.string(),
          "-laotc_runtime",
          "-Wl,-rpath,$ORIGIN:" + runtime.library.string(),
          "-Wl,--no-undefined",
          "-o",
          output.string()};
}

Result<std::string> shared_library_key(const SharedLibraryOptions& options, const fs::path& out_dir,
                                       const std::string& kernel) {
  TaggedHasher hasher;
  hasher.add("aotc-shared-library", "1");
  // Neither out/'s path nor the output's (temporary) name is part of what is built: without
  // debug information no path reaches the library, so builds into other folders (other CI
  // runners' checkouts) share it. The files read from there are hashed below.
  std::vector<std::string> argv = shared_library_command(options, "OUT", kernel, "OUTPUT");
  hasher.add("command", joined(argv));
  // The compiler's own identity; a compiler that cannot say it fails the compile below, with its
  // error, so a failed probe is keyed as such rather than reported here.
  auto version = run_process({argv.front(), "--version"});
  hasher.add("compiler", version && version->succeeded() ? version->output : "unknown");

  const fs::path include = out_dir / "include";
  for (const char* suffix : {"_launcher.h", "_launcher.cc", "_capi.h", "_capi.cc", "_embed.S"}) {
    const fs::path name = fs::path("aotc") / (kernel + suffix);
    if (Status added = add_file(hasher, "generated", include, name); !added) {
      return added.error();
    }
  }
  auto embedded = embedded_files(include / "aotc" / (kernel + "_embed.S"));
  if (!embedded) return embedded.error();
  for (const fs::path& file : *embedded) {
    if (Status added = add_file(hasher, "embedded", include, file); !added) return added.error();
  }

  const RuntimeDirs runtime = runtime_dirs(options);
  std::vector<fs::path> headers;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(runtime.include / "aotc", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) headers.push_back(it->path().lexically_relative(runtime.include));
  }
  if (ec) return make_error((runtime.include / "aotc").string() + ": " + ec.message());
  std::sort(headers.begin(), headers.end());
  for (const fs::path& header : headers) {
    if (Status added = add_file(hasher, "runtime-header", runtime.include, header); !added) {
      return added.error();
    }
  }
  if (Status added = add_file(hasher, "runtime-library", runtime.library, kRuntimeLibrary);
      !added) {
    return added.error();
  }
  return hasher.hex_digest();
}

Result<SharedLibrarySource> build_shared_library(const SharedLibraryOptions& options,
                                                 const fs::path& out_dir, const std::string& kernel,
                                                 const fs::path& output, const fs::path& cache_dir,
                                                 SpawnOptions spawn) {
  const std::string label = shared_library_file(kernel).string();
  auto key = shared_library_key(options, out_dir, kernel);
  if (!key) return key.error().with_context(label);
  const fs::path cached = cache_dir / "shared-libs" / (*key + ".so");
  std::error_code ec;
  if (fs::is_regular_file(cached, ec)) {
    fs::copy_file(cached, output, fs::copy_options::overwrite_existing, ec);
    if (ec) return make_error(label + ": copying " + cached.string() + ": " + ec.message());
    return SharedLibrarySource::cached;
  }

  const std::vector<std::string> argv = shared_library_command(options, out_dir, kernel, output);
  Result<ProcessResult> ran = run_process(argv, spawn);
  if (!ran) return ran.error().with_context(label + ": " + joined(argv));
  if (!ran->succeeded()) {
    return make_error(label + ": the C++ compiler " + ran->describe_exit() + ":\n  " +
                      joined(argv) + "\n" + ran->output);
  }
  auto bytes = read_file_bytes(output);
  if (!bytes) return bytes.error().with_context(label);
  if (Status stored = write_file_atomic(cached, *bytes); !stored) {
    return stored.error().with_context(label + ": storing it in the cache");
  }
  return SharedLibrarySource::compiled;
}

}  // namespace aotc
