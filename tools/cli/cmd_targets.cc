// `aotc targets [--json] [--python PATH]`: every clang aotc can find and the GPU targets each can
// build, ptxas (which turns NVIDIA PTX into cubins) when present, and the Triton that Triton
// kernels would be built with: its version, install path, Python, backends, API era and Gluon.
#include <iostream>
#include <nlohmann/json.hpp>

#include "build/python_discovery.h"
#include "build/target_support.h"
#include "build/toolchain_discovery.h"
#include "command_registry.h"

namespace {

nlohmann::ordered_json triton_report(const std::optional<std::filesystem::path>& python) {
  auto triton = aotc::find_triton(python, std::nullopt);
  if (!triton) return {{"error", triton.error().message}};
  return {{"version", triton->version},
          {"path", triton->path.string()},
          {"python", triton->python.path.string()},
          {"python_version", triton->python.version},
          {"backends", triton->backends},
          {"api", triton->api},
          {"gluon", triton->gluon},
          {"helper", triton->helper.string()}};
}

int run_targets(bool as_json, const std::optional<std::filesystem::path>& python) {
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

  report["triton"] = triton_report(python);
  const bool nothing = report["toolchains"].empty() && report["triton"].contains("error");
  if (as_json) {
    std::cout << report.dump(2) << '\n';
    return nothing ? 1 : 0;
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
  const auto& triton = report["triton"];
  if (triton.contains("error")) {
    std::cout << "triton: not usable (Triton kernels cannot be built): "
              << triton["error"].get<std::string>() << '\n';
  } else {
    std::string backends;
    for (const auto& backend : triton["backends"]) {
      backends += (backends.empty() ? "" : ", ") + backend.get<std::string>();
    }
    std::cout << "triton " << triton["version"].get<std::string>() << " ("
              << triton["path"].get<std::string>() << ") with Python "
              << triton["python_version"].get<std::string>() << " ("
              << triton["python"].get<std::string>() << ")\n  backends: " << backends
              << "; compile API: " << triton["api"].get<std::string>()
              << "; Gluon: " << (triton["gluon"].get<bool>() ? "yes" : "no") << '\n';
  }
  if (report["toolchains"].empty()) {
    std::cerr << "aotc targets: no clang found (looked for $AOTC_CLANG, clang-22 ... clang-17, "
                 "clang)\n";
  }
  return nothing ? 1 : 0;
}

aotc::cli::CommandRegistration targets_registration(
    "targets", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* sub = app.add_subcommand("targets",
                                     "List the compilers found and the GPU targets each can build");
      auto as_json = std::make_shared<bool>(false);
      auto python = std::make_shared<std::string>();
      sub->add_flag("--json", *as_json, "Print JSON");
      sub->add_option("--python", *python,
                      "Python with Triton (default: $AOTC_PYTHON, else python3)");
      return [as_json, python] {
        return run_targets(*as_json, python->empty()
                                         ? std::nullopt
                                         : std::optional<std::filesystem::path>(*python));
      };
    });

}  // namespace
