// Commands register themselves: each cmd_*.cc defines a static CommandRegistration whose setup
// function adds a CLI11 subcommand and returns the function that runs it. main() only parses and
// dispatches, so adding a command never touches main.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace aotc::cli {

// Runs a parsed command; returns the process exit code (0 success, 1 failure, 2 usage error).
using CommandRunner = std::function<int()>;

// Adds the subcommand to `app` (options bound to state the setup function owns) and returns the
// runner for when that subcommand was chosen.
using CommandSetup = std::function<CommandRunner(CLI::App& app)>;

struct CommandRegistration {
  CommandRegistration(std::string name, CommandSetup setup);
};

struct RegisteredCommand {
  std::string name;
  CommandSetup setup;
};

// All registered commands in name order (registration order across files is unspecified).
std::vector<RegisteredCommand>& registered_commands();

}  // namespace aotc::cli
