// aotc: ahead-of-time GPU kernel compiler and code-object packager. main() parses the command
// line and dispatches to the chosen command; every command returns its exit code, and only here
// does the process exit.
#include <algorithm>
#include <iostream>
#include <map>

#include "command_registry.h"

int main(int argc, char** argv) {
  CLI::App app{"aotc " AOTC_VERSION ": ahead-of-time GPU kernel compiler and code-object packager"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aotc " AOTC_VERSION);

  auto commands = aotc::cli::registered_commands();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<const CLI::App*, aotc::cli::CommandRunner> runners;
  for (auto& command : commands) {
    auto before = app.get_subcommands({});
    auto runner = command.setup(app);
    for (CLI::App* sub : app.get_subcommands({})) {
      if (std::find(before.begin(), before.end(), sub) == before.end()) runners[sub] = runner;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (CLI::App* sub : app.get_subcommands()) {
    auto it = runners.find(sub);
    if (it != runners.end()) return it->second();
  }
  std::cerr << "aotc: no command chosen\n";
  return 2;
}
