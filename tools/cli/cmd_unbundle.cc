// `aotc unbundle FILE -o DIR` writes every entry of a plain or compressed offload bundle to
// DIR/<entry id>.hsaco (.bin for entries that are not AMD code objects, the host entry included);
// `aotc unbundle FILE --id ID -o OUT` writes one entry. The whole bundle is read and checked
// before anything is written.
#include <iostream>
#include <memory>

#include "codeobj/kernel_metadata.h"
#include "codeobj/offload_bundle.h"
#include "command_registry.h"
#include "core/atomic_file.h"

namespace {

using namespace aotc::codeobj;

struct UnbundleArgs {
  std::string input;
  std::string output;
  std::string id;
};

int run_unbundle(const UnbundleArgs& args) {
  auto bytes = aotc::read_file_bytes(args.input);
  if (!bytes) {
    std::cerr << "aotc unbundle: " << args.input << ": " << bytes.error().message << '\n';
    return 1;
  }
  auto entries = read_offload_bundle(*bytes);
  if (!entries) {
    std::cerr << "aotc unbundle: " << args.input << ": " << entries.error().message << '\n';
    return 1;
  }
  if (!args.id.empty()) {
    auto wanted = bundle_entry_id_for(args.id);
    if (!wanted) {
      std::cerr << "aotc unbundle: --id " << args.id << ": " << wanted.error().message << '\n';
      return 2;
    }
    for (const BundleEntry& e : *entries) {
      if (e.id != *wanted) continue;
      if (auto st = aotc::write_file_atomic(args.output, e.bytes); !st) {
        std::cerr << "aotc unbundle: " << st.error().message << '\n';
        return 1;
      }
      return 0;
    }
    std::cerr << "aotc unbundle: " << args.input << ": no entry " << *wanted << " (entries:";
    for (const BundleEntry& e : *entries) std::cerr << ' ' << e.id;
    std::cerr << ")\n";
    return 1;
  }
  for (const BundleEntry& e : *entries) {
    // Entry ids come from the file: refuse ones that would leave DIR.
    if (e.id.find('/') != std::string::npos || e.id == "." || e.id == "..") {
      std::cerr << "aotc unbundle: " << args.input << ": entry id \"" << e.id
                << "\" cannot be used as a file name\n";
      return 1;
    }
  }
  for (const BundleEntry& e : *entries) {
    auto format = detect_code_object_format(e.bytes);
    std::string name = e.id + (format == "hsaco" ? ".hsaco" : ".bin");
    if (auto st = aotc::write_file_atomic(std::filesystem::path(args.output) / name, e.bytes);
        !st) {
      std::cerr << "aotc unbundle: " << st.error().message << '\n';
      return 1;
    }
  }
  return 0;
}

aotc::cli::CommandRegistration unbundle_registration(
    "unbundle", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* cmd =
          app.add_subcommand("unbundle", "Extract the entries of a (compressed) offload bundle");
      auto args = std::make_shared<UnbundleArgs>();
      cmd->add_option("file", args->input, "Bundle to read")->required();
      cmd->add_option("-o,--output", args->output,
                      "Directory for all entries, or the file for --id")
          ->required();
      cmd->add_option("--id", args->id,
                      "Extract only this entry (entry id or target id, e.g. gfx942)");
      return [args] { return run_unbundle(*args); };
    });

}  // namespace
