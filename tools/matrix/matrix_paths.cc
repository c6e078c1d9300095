#include "matrix/matrix_paths.h"

namespace aotc {
namespace fs = std::filesystem;
namespace {

// True when a lexically normal relative path does not climb out of its base directory.
bool stays_inside(const fs::path& relative) {
  return !relative.empty() && *relative.begin() != ".." && relative.is_relative();
}

}  // namespace

Result<fs::path> resolve_matrix_path(const fs::path& matrix_dir, std::string_view written,
                                     PathKind kind) {
  const char* existing = kind == PathKind::file ? "an existing file" : "an existing directory";
  if (written.empty()) return make_error(existing);
  fs::path as_written(written);
  fs::path resolved;
  std::error_code ec;
  if (as_written.is_absolute()) {
    resolved = as_written.lexically_normal();
  } else {
    fs::path normal = as_written.lexically_normal();
    if (!stays_inside(normal)) return make_error("a path inside the matrix file's directory");
    fs::path base = fs::absolute(matrix_dir, ec);
    if (ec)
      return make_error("a path resolvable against the matrix file's directory (" + ec.message() +
                        ")");
    resolved = (base / normal).lexically_normal();
  }
  fs::file_status status = fs::status(resolved, ec);
  bool right_kind = kind == PathKind::file ? fs::is_regular_file(status) : fs::is_directory(status);
  if (!right_kind) return make_error(existing);
  if (!as_written.is_absolute()) {
    fs::path real = fs::canonical(resolved, ec);
    fs::path real_base = ec ? fs::path() : fs::canonical(matrix_dir, ec);
    if (ec || !stays_inside(real.lexically_relative(real_base))) {
      return make_error(
          "a path inside the matrix file's directory, also after following symbolic links");
    }
  }
  return resolved;
}

}  // namespace aotc
