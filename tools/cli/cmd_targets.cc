// `aotc targets [--json]`: every clang aotc can find and the GPU targets each can build, plus
// ptxas (which turns NVIDIA PTX into cubins) when present.
#include <iostream>
#include <nlohmann/json.hpp>

#include "build/target_support.h"
#include "build/toolchain_discovery.h"
#include "command_registry.h"

namespace {

int run_targets(bool as_json) {
  nlohmann::ordered_json report = {{"toolchains", nlohmann::ordered_json::array()}};
  for (const auto& clang : aotc::find_all_clangs()) {
    nlohmann::ordered_json entry = {
        {"tool", "clang"}, {"path", clang.path.string()}, {"version", clang.version}};
    auto support = aotc::probe_targets(clang, std::nullopt);
    if (support) {
      entry["amd"] = support->amd;
      entry["nvidia"] = support->nvidia;
    } else {
      entry["error"] = support.error().message;
    }
    report["toolchains"].push_back(entry);
  }
  auto ptxas = aotc::find_ptxas(std::nullopt);
  if (ptxas && *ptxas) {
    report["ptxas"] = {{"path", (*ptxas)->path.string()}, {"version", (*ptxas)->version}};
  }

  if (as_json) {
    std::cout << report.dump(2) << '\n';
    return report["toolchains"].empty() ? 1 : 0;
  }
  for (const auto& entry : report["toolchains"]) {
    std::cout << "clang " << entry["version"].get<std::string>() << " ("
              << entry["path"].get<std::string>() << ")\n";
    if (entry.contains("error")) {
      std::cout << "  error: " << entry["error"].get<std::string>() << '\n';
      continue;
    }
    for (const char* vendor : {"amd", "nvidia"}) {
      std::cout << "  " << vendor << ":";
      for (const auto& target : entry[vendor]) std::cout << ' ' << target.get<std::string>();
      std::cout << '\n';
    }
  }
  if (report.contains("ptxas")) {
    std::cout << "ptxas " << report["ptxas"]["version"].get<std::string>() << " ("
              << report["ptxas"]["path"].get<std::string>() << "): NVIDIA targets get cubins\n";
  } else {
    std::cout << "ptxas: not found (NVIDIA targets get PTX only)\n";
  }
  if (report["toolchains"].empty()) {
    std::cerr
        << "aotc targets: no clang found (looked for $AOTC_CLANG, clang-22 ... clang-17, clang)\n";
    return 1;
  }
  return 0;
}

aotc::cli::CommandRegistration registration(
    "targets", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* sub = app.add_subcommand("targets",
                                     "List the compilers found and the GPU targets each can build");
      auto as_json = std::make_shared<bool>(false);
      sub->add_flag("--json", *as_json, "Print JSON");
      return [as_json] { return run_targets(*as_json); };
    });

}  // namespace
