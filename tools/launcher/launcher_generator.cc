#include "launcher/launcher_generator.h"

#include "core/atomic_file.h"
#include "core/error_list.h"
#include "launcher/emitters.h"
#include "launcher/family_model.h"

namespace aotc {
namespace {

// Writes unless the file already holds exactly `text`.
Status write_if_changed(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    Result<std::string> current = read_file_text(path, text.size() + 1);
    if (current && *current == text) return Status::success();
  }
  return write_file_atomic(path, text);
}

}  // namespace

Result<std::vector<GeneratedFile>> render_launchers(const LauncherInputs& inputs) {
  const std::filesystem::path include = std::filesystem::path("include") / "aotc";
  const Matrix& matrix = inputs.matrix;
  const std::string matrix_name = matrix.file.filename().string();

  // Every family's model first, so a bad rule yields no launcher at all, and all errors at once.
  std::vector<launcher::FamilyModel> models;
  ErrorList errors;
  for (std::size_t k = 0; k < matrix.kernels.size(); ++k) {
    if (k >= inputs.rules.size() || !inputs.rules[k]) continue;  // no launch rule: no launcher
    const std::string where = matrix_name + ": kernels[" + std::to_string(k) + "]";
    Result<launcher::FamilyModel> model = launcher::build_family_model(
        matrix.kernels[k], *inputs.rules[k], inputs.variants, inputs.objects, where);
    if (!model) {
      errors.add(model.error());
      continue;
    }
    models.push_back(std::move(*model));
  }
  if (!errors.empty()) return errors.status().error().with_context("generating launchers");

  std::vector<GeneratedFile> files;
  for (const launcher::FamilyModel& m : models) {
    files.push_back(
        {include / (m.kernel + "_launcher.h"), launcher::emit_launcher_header(m, matrix_name)});
    files.push_back({include / (m.kernel + "_launcher.cc"), launcher::emit_launcher_source(m)});
    files.push_back({include / (m.kernel + "_embed.S"), launcher::emit_embed_asm(m)});
    files.push_back(
        {include / (m.kernel + "_capi.h"), launcher::emit_c_abi_header(m, matrix_name)});
    files.push_back({include / (m.kernel + "_capi.cc"), launcher::emit_c_abi_source(m)});
  }
  return files;
}

Result<std::vector<std::filesystem::path>> generate_launchers(
    const LauncherInputs& inputs, const std::filesystem::path& out_dir) {
  Result<std::vector<GeneratedFile>> files = render_launchers(inputs);
  if (!files) return files.error();
  std::vector<std::filesystem::path> written;
  for (const GeneratedFile& file : *files) {
    const std::filesystem::path path = out_dir / file.relative_path;
    Status s = write_if_changed(path, file.text);
    if (!s) return s.error().with_context("generating launchers");
    written.push_back(path);
  }
  return written;
}

}  // namespace aotc
