// `aotc verify [OUT]`: re-hashes every file OUT/manifest.json lists (code objects, PTX, bundles,
// launchers) and reports each one that is missing or differs in size or SHA-256. Exit codes: 0
// every file matches, 1 a mismatch or a manifest that cannot be read.
#include <iostream>
#include <memory>

#include "build/output_verify.h"
#include "command_registry.h"

namespace {

int run_verify(const std::string& out_dir) {
  auto report = aotc::verify_output_dir(out_dir);
  if (!report) {
    std::cerr << "aotc verify: " << report.error().message << '\n';
    return 1;
  }
  for (const auto& line : report->mismatches) std::cout << line << '\n';
  if (!report->mismatches.empty()) {
    std::cerr << "aotc verify: " << report->mismatches.size() << " of " << report->checked
              << " listed files do not match " << out_dir << "/manifest.json\n";
    return 1;
  }
  std::cout << "aotc verify: all " << report->checked << " files listed in " << out_dir
            << "/manifest.json match\n";
  return 0;
}

aotc::cli::CommandRegistration verify_registration(
    "verify", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* cmd = app.add_subcommand(
          "verify",
          "Re-hash every file an output directory's manifest.json lists; report mismatches");
      auto out_dir = std::make_shared<std::string>("out");
      cmd->add_option("out", *out_dir, "Output directory of an aotc build")->capture_default_str();
      return [out_dir] { return run_verify(*out_dir); };
    });

}  // namespace
