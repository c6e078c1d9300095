// `aotc build [MATRIX]`: compile every variant of the matrix for every target into out/, in
// parallel and cached, and write out/manifest.json (build/build_pipeline.h has the phases).
// `aotc package [MATRIX] --objects DIR`: the same build taking the clang objects a Ninja file
// written by `aotc build --emit-ninja` compiled (the Ninja file's last edge runs it).
// Exit codes: 0 built, 1 failed (compile errors or a build that could not run),
// 128+signal when interrupted.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "build/build_pipeline.h"
#include "build/remote_cache.h"
#include "build/subprocess.h"
#include "command_registry.h"

namespace {

struct BuildCommandOptions {
  aotc::BuildOptions build;
  std::string matrix = "build-matrix.json";
  std::string out = "out";
  std::string cache_dir;
  std::string clang;
  std::string ptxas;
  std::string python;
  std::string source_root;
  std::string remote_cache;
  std::string shard;
  std::string emit_ninja;
  std::string objects;
  std::string depfile;
  bool no_wait = false;
  std::string cxx;
  std::string runtime_include_dir;
  std::string runtime_library_dir;
};

int run_build_command(const BuildCommandOptions& cli) {
  aotc::BuildOptions options = cli.build;
  options.matrix_file = cli.matrix;
  options.out_dir = cli.out;
  if (!cli.cache_dir.empty()) options.cache_dir = cli.cache_dir;
  if (!cli.clang.empty()) options.clang = cli.clang;
  if (!cli.ptxas.empty()) options.ptxas = cli.ptxas;
  if (!cli.python.empty()) options.python = cli.python;
  if (!cli.source_root.empty()) options.source_root = cli.source_root;
  if (!cli.cxx.empty()) options.shared_library.cxx = cli.cxx;
  if (!cli.runtime_include_dir.empty())
    options.shared_library.runtime_include_dir = cli.runtime_include_dir;
  if (!cli.runtime_library_dir.empty())
    options.shared_library.runtime_library_dir = cli.runtime_library_dir;
  options.wait_for_lock = !cli.no_wait;
  options.remote_cache = cli.remote_cache;
  if (const char* url = std::getenv(aotc::kRemoteCacheVariable); url && cli.remote_cache.empty()) {
    options.remote_cache = url;
  }
  if (!cli.emit_ninja.empty()) options.emit_ninja = cli.emit_ninja;
  if (!cli.objects.empty()) options.objects_dir = cli.objects;
  if (!cli.depfile.empty()) options.depfile = cli.depfile;
  if (!cli.shard.empty()) options.shard = aotc::parse_shard(cli.shard).value();  // checked by CLI11
  options.redraw_status = aotc::StatusPrinter::stdout_is_smart_terminal();

  auto summary = aotc::run_build(options, std::cout);
  if (!summary) {
    std::cout << std::flush;
    // Several problems (matrix validation reports all at once) start on their own lines, so each
    // line reads "file: path: expected ..., found ..." alike.
    const std::string& message = summary.error().message;
    const bool several = message.find('\n') != std::string::npos;
    std::cerr << (cli.objects.empty() ? "aotc build:" : "aotc package:") << (several ? "\n" : " ")
              << message << '\n';
    int signal_number = aotc::InterruptGuard::signal_number();
    return signal_number ? 128 + signal_number : 1;
  }
  return summary->failed == 0 ? 0 : 1;
}

// The options `build` and `package` share.
void add_build_options(CLI::App* sub, const std::shared_ptr<BuildCommandOptions>& cli) {
  sub->add_option("matrix", cli->matrix, "Build matrix (JSON)")->capture_default_str();
  sub->add_option("-o,--out", cli->out, "Output directory")->capture_default_str();
  sub->add_option("-j,--jobs", cli->build.jobs, "Parallel compiles (default: number of cores)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  sub->add_option("--clang", cli->clang,
                  "clang to use (default: $AOTC_CLANG, else clang-22 ... clang-17, clang)");
  sub->add_option("--ptxas", cli->ptxas,
                  "ptxas to use for NVIDIA cubins (default: PATH, /usr/local/cuda/bin)");
  sub->add_option("--python", cli->python,
                  "Python with Triton, for Triton kernels (default: $AOTC_PYTHON, else python3)");
  sub->add_option("--source-root", cli->source_root,
                  "Directory the matrix's kernel paths resolve against (replaces its \"root\")");
  sub->add_option("--targets", cli->build.targets,
                  "Build only these targets of the matrix (comma-separated)")
      ->delimiter(',');
  sub->add_option("--cache-dir", cli->cache_dir, "Cache directory (default: OUT/.cache)");
  sub->add_option("--remote-cache", cli->remote_cache,
                  "Shared cache on an HTTP server answering GET/HEAD/PUT (default: $" +
                      std::string(aotc::kRemoteCacheVariable) + ")");
  sub->add_option("--depfile", cli->depfile,
                  "Write a make-style dependency file: manifest.json and every file the build "
                  "read (for Ninja and CMake)");
  sub->add_flag("--fail-fast", cli->build.fail_fast,
                "Start no new compile after the first failure");
  sub->add_flag("--shared-lib", cli->build.shared_libraries,
                "Also compile each family's launcher, C ABI and code objects into "
                "out/lib/lib<kernel>_aotc.so (for Python and other FFIs)");
  sub->add_option("--cxx", cli->cxx, "C++ compiler for --shared-lib (default: $CXX, else c++)");
  sub->add_option("--runtime-include-dir", cli->runtime_include_dir,
                  "Folder holding aotc/runtime.h, for --shared-lib (default: aotc's own runtime)");
  sub->add_option(
      "--runtime-library-dir", cli->runtime_library_dir,
      "Folder holding libaotc_runtime.so, for --shared-lib (default: aotc's own runtime)");
  sub->add_flag("--timings", cli->build.timings,
                "After the summary, print each phase's time and the longest compile's");
  sub->add_flag(
      "--no-wait", cli->no_wait,
      "Fail at once if another build is using the output directory (default: wait for it)");
}

aotc::cli::CommandRegistration build_registration(
    "build", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* sub =
          app.add_subcommand("build", "Compile every variant of a build matrix for every target");
      auto cli = std::make_shared<BuildCommandOptions>();
      add_build_options(sub, cli);
      sub->add_option("--shard", cli->shard,
                      "Build only shard K of N (K/N) of the objects and write a shard manifest; "
                      "combine the N shards with aotc merge")
          ->check([](const std::string& text) {
            auto spec = aotc::parse_shard(text);
            return spec ? std::string() : spec.error().message;
          });
      sub->add_flag("--dry-run", cli->build.dry_run, "Print the compile commands; build nothing");
      auto* emit =
          sub->add_option("--emit-ninja", cli->emit_ninja,
                          "Write the build as a Ninja file (compile edges, then aotc package) "
                          "instead of building; its objects go to aotc-objects/ beside it");
      sub->add_option(
             "--launcher", cli->build.launcher,
             "With --emit-ninja: command prefixed to every clang compile (ccache, sccache, "
             "icecc, distcc, a remote-execution wrapper)")
          ->needs(emit);
      return [cli] { return run_build_command(*cli); };
    });

aotc::cli::CommandRegistration package_registration(
    "package", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* sub = app.add_subcommand(
          "package",
          "Make metadata, bundles, launchers and the manifest from objects a Ninja file from "
          "aotc build --emit-ninja compiled (its last edge)");
      auto cli = std::make_shared<BuildCommandOptions>();
      add_build_options(sub, cli);
      sub->add_option("--objects", cli->objects,
                      "The Ninja build's objects directory (aotc-objects/ beside the Ninja file)")
          ->required();
      return [cli] { return run_build_command(*cli); };
    });

}  // namespace
