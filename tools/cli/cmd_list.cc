// `aotc list FILE`: the entry ids of a plain or compressed offload bundle, one per line, in file
// order (what `clang-offload-bundler -list` prints, but with truncation and corruption reported).
#include <iostream>
#include <memory>

#include "codeobj/offload_bundle.h"
#include "command_registry.h"
#include "core/atomic_file.h"

namespace {

int run_list(const std::string& input) {
  auto bytes = aotc::read_file_bytes(input);
  if (!bytes) {
    std::cerr << "aotc list: " << input << ": " << bytes.error().message << '\n';
    return 1;
  }
  auto entries = aotc::codeobj::read_offload_bundle(*bytes);
  if (!entries) {
    std::cerr << "aotc list: " << input << ": " << entries.error().message << '\n';
    return 1;
  }
  for (const auto& e : *entries) std::cout << e.id << '\n';
  return 0;
}

aotc::cli::CommandRegistration list_registration(
    "list", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* cmd = app.add_subcommand("list", "List the entry ids of a (compressed) offload bundle");
      auto input = std::make_shared<std::string>();
      cmd->add_option("file", *input, "Bundle to read")->required();
      return [input] { return run_list(*input); };
    });

}  // namespace
