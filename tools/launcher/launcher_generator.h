// Writes the C++ launchers of every kernel family that has a launch rule (docs/LAUNCHERS.md):
//   <out>/include/aotc/<kernel>_launcher.h  the API: Key, Args, launch, plan, workspace_bytes...
//   <out>/include/aotc/<kernel>_launcher.cc compile into the app
//   <out>/include/aotc/<kernel>_embed.S     optional: link it in to embed the code objects
//   <out>/include/aotc/<kernel>_capi.h/.cc  the family's C ABI over the C++ API
// from the manifest that the same build writes (its variants, objects and their metadata). What
// every launcher shares is the runtime's headers (runtime/include/aotc/launcher_support.h and
// launcher_family.h); nothing generated depends on the output directory's path.
// Refuses, naming variant, target, entry and argument, any rule the code objects contradict.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "matrix/matrix.h"

namespace aotc {

// One generated file: its path relative to the output directory ("include/aotc/x_launcher.h").
struct GeneratedFile {
  std::filesystem::path relative_path;
  std::string text;
};

// The launcher files for `matrix` and `manifest`, without writing anything: for a build that
// writes its outputs itself (e.g. through its output tree, so stale launchers get cleaned up).
Result<std::vector<GeneratedFile>> render_launchers(const Matrix& matrix,
                                                    const nlohmann::json& manifest);

// Generates the launchers for `matrix` from `manifest` (docs/DESIGN.md "manifest.json") into
// out_dir/include/aotc. Files whose content is unchanged are not rewritten, so apps that compile
// them do not rebuild. Returns the paths of the generated files.
Result<std::vector<std::filesystem::path>> generate_launchers(const Matrix& matrix,
                                                              const nlohmann::json& manifest,
                                                              const std::filesystem::path& out_dir);

}  // namespace aotc
