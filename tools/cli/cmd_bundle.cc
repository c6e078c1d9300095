// `aotc bundle -o OUT --target-id ID=FILE ... [--compress zlib|zstd] [--ccob-version 2|3]`: packs
// AMD code objects into one clang offload bundle, the format clang-offload-bundler and the HIP
// runtime read. IDs are target ids (gfx942, gfx942:sramecc+:xnack-) or full entry ids. A code
// object whose own target (from its ELF header) differs from its ID is refused: a mislabelled
// entry would be loaded on the wrong GPU.
#include <iostream>
#include <memory>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/bundle_writer.h"
#include "codeobj/offload_bundle.h"
#include "command_registry.h"
#include "core/atomic_file.h"

namespace {

using namespace aotc::codeobj;

struct BundleArgs {
  std::string output;
  std::vector<std::string> inputs;
  std::string compress;
  int ccob_version = 2;
};

int run_bundle(const BundleArgs& args) {
  std::vector<BundleEntry> entries;
  for (const auto& spec : args.inputs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      std::cerr << "aotc bundle: --target-id " << spec << ": expected ID=FILE\n";
      return 2;
    }
    std::string wanted = spec.substr(0, eq), file = spec.substr(eq + 1);
    auto id = bundle_entry_id_for(wanted);
    if (!id) {
      std::cerr << "aotc bundle: --target-id " << spec << ": " << id.error().message << '\n';
      return 2;
    }
    auto bytes = aotc::read_file_bytes(file);
    if (!bytes) {
      std::cerr << "aotc bundle: " << file << ": " << bytes.error().message << '\n';
      return 1;
    }
    if (id->starts_with("hipv4-amdgcn-")) {
      auto object = read_amdgpu_code_object(*bytes);
      if (!object) {
        std::cerr << "aotc bundle: " << file << ": " << object.error().message << '\n';
        return 1;
      }
      auto expected = bundle_entry_id_for(object->target_id.to_string());
      if (expected && *expected != *id) {
        std::cerr << "aotc bundle: " << file << " is a " << object->target_id.to_string()
                  << " code object, not " << wanted << '\n';
        return 1;
      }
    }
    entries.push_back({std::move(*id), std::move(*bytes)});
  }
  BundleWriteOptions options;
  if (args.compress == "zlib") options.compression = BundleWriteOptions::zlib;
  if (args.compress == "zstd") options.compression = BundleWriteOptions::zstd;
  options.ccob_version = args.ccob_version;
  auto bundle = write_offload_bundle(entries, options);
  if (!bundle) {
    std::cerr << "aotc bundle: " << args.output << ": " << bundle.error().message << '\n';
    return 1;
  }
  if (auto st = aotc::write_file_atomic(args.output, *bundle); !st) {
    std::cerr << "aotc bundle: " << st.error().message << '\n';
    return 1;
  }
  return 0;
}

aotc::cli::CommandRegistration bundle_registration(
    "bundle", [](CLI::App& app) -> aotc::cli::CommandRunner {
      auto* cmd = app.add_subcommand("bundle", "Pack AMD code objects into a clang offload bundle");
      auto args = std::make_shared<BundleArgs>();
      cmd->add_option("-o,--output", args->output, "Bundle to write")->required();
      cmd->add_option("--target-id", args->inputs,
                      "ID=FILE: a target id (gfx942:xnack-) or entry id, and its code object")
          ->required();
      cmd->add_option("--compress", args->compress, "Compress the bundle (CCOB): zlib or zstd")
          ->check(CLI::IsMember({"zlib", "zstd"}));
      cmd->add_option("--ccob-version", args->ccob_version,
                      "Compressed-bundle version: 2 (ROCm 6.2+, the default) or 3 (ROCm 7.0+)")
          ->check(CLI::IsMember({2, 3}));
      return [args] { return run_bundle(*args); };
    });

}  // namespace
