// Writes the C++ launchers of every kernel family that has a launch rule (docs/LAUNCHERS.md):
//   <out>/include/aotc/<kernel>_launcher.h  the API: Key, Args, launch, plan, workspace_bytes...
//   <out>/include/aotc/<kernel>_launcher.cc compile into the app
//   <out>/include/aotc/<kernel>_embed.S     optional: link it in to embed the code objects
//   <out>/include/aotc/<kernel>_capi.h/.cc  the family's C ABI over the C++ API
// from what the build knows: the matrix, its validated launch rules, its variants and the records
// of their built code objects (with each object's metadata). What every launcher shares is the
// runtime's headers (runtime/include/aotc/launcher_support.h and launcher_family.h); nothing
// generated depends on the output directory's path.
// Refuses, naming variant, target, entry and argument, any rule the code objects contradict.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "codeobj/object_record.h"
#include "core/result.h"
#include "launcher/launch_rule.h"
#include "matrix/matrix.h"

namespace aotc {

// What the launchers of a build are generated from.
struct LauncherInputs {
  const Matrix& matrix;
  const launcher::LaunchRules& rules;  // validate_launch_rules(matrix)
  const std::vector<Variant>& variants;
  // objects[i]: the built code objects of variants[i], with their metadata.
  const std::vector<std::vector<codeobj::ObjectRecord>>& objects;
};

// One generated file: its path relative to the output directory ("include/aotc/x_launcher.h").
struct GeneratedFile {
  std::filesystem::path relative_path;
  std::string text;
};

// The launcher files, without writing anything: for a build that writes its outputs itself
// (through its output tree, so stale launchers get cleaned up).
Result<std::vector<GeneratedFile>> render_launchers(const LauncherInputs& inputs);

// Generates the launchers into out_dir/include/aotc. Files whose content is unchanged are not
// rewritten, so apps that compile them do not rebuild. Returns the paths of the generated files.
Result<std::vector<std::filesystem::path>> generate_launchers(const LauncherInputs& inputs,
                                                              const std::filesystem::path& out_dir);

}  // namespace aotc
