// `aotc merge OUT SHARD...`: combines the outputs of `aotc build --shard K/N` (N shards, each
// built on its own machine) into the tree one `aotc build` writes: each shard's manifest and files
// are checked, the objects installed, and the bundles, launchers and manifest made here, byte for
// byte those of a single build (its summary aside). Needs the matrix and the kernel sources (the
// plan's cache keys name each object), no compiler. Exit codes: 0 merged, 1 shards missing,
// overlapping, mismatched or damaged (nothing half-written), 128+signal when interrupted.
#include <iostream>
#include <memory>

#include "build/build_pipeline.h"
#include "build/subprocess.h"
#include "command_registry.h"

namespace {

struct MergeCommandOptions {
  std::string out;
  std::vector<std::string> shards;
  std::string matrix = "build-matrix.json";
  std::string source_root;
  std::vector<std::string> targets;
};

int run_merge_command(const MergeCommandOptions& cli) {
  aotc::BuildOptions options;
  options.matrix_file = cli.matrix;
  options.out_dir = cli.out;
  if (!cli.source_root.empty()) options.source_root = cli.source_root;
  options.targets = cli.targets;
  for (const auto& shard : cli.shards) options.merge.emplace_back(shard);
  auto summary = aotc::run_build(options, std::cout);
  if (!summary) {
    std::cout << std::flush;
    const std::string& message = summary.error().message;
    const bool several = message.find('\n') != std::string::npos;
    std::cerr << "aotc merge:" << (several ? "\n" : " ") << message << '\n';
    int signal_number = aotc::InterruptGuard::signal_number();
    return signal_number ? 128 + signal_number : 1;
  }
  return 0;
}

aotc::cli::CommandRegistration merge_registration(
    "merge", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* sub = app.add_subcommand(
          "merge", "Combine the N shards of a build (aotc build --shard K/N) into one output tree");
      auto cli = std::make_shared<MergeCommandOptions>();
      sub->add_option("out", cli->out, "Output directory to write")->required();
      sub->add_option("shards", cli->shards, "The shards' output directories, all N of them")
          ->required();
      sub->add_option("--matrix", cli->matrix, "The build matrix the shards were built from")
          ->capture_default_str();
      sub->add_option("--source-root", cli->source_root,
                      "Directory the matrix's kernel paths resolve against (as the shards had it)");
      sub->add_option("--targets", cli->targets, "The --targets the shards were built with")
          ->delimiter(',');
      return [cli] { return run_merge_command(*cli); };
    });

}  // namespace
