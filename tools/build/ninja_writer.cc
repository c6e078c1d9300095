#include "build/ninja_writer.h"

#include "build/compile_command.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

// A path in a `build` line: Ninja's escapes for '$', ' ' and ':'.
std::string path_text(const fs::path& path) {
  std::string text;
  for (char c : path.string()) {
    if (c == '$' || c == ' ' || c == ':') text += '$';
    text += c;
  }
  return text;
}

// A value (command, description): '$' doubled; the shell quoting is display_command's.
std::string value_text(const std::string& value) {
  std::string text;
  for (char c : value) {
    if (c == '$') text += '$';
    text += c;
  }
  return text;
}

bool has_newline(const NinjaStep& step) {
  auto bad = [](const std::string& text) { return text.find('\n') != std::string::npos; };
  for (const auto& arg : step.argv) {
    if (bad(arg)) return true;
  }
  for (const auto* paths : {&step.outputs, &step.inputs, &step.implicit_inputs}) {
    for (const auto& path : *paths) {
      if (bad(path.string())) return true;
    }
  }
  return bad(step.depfile.string()) || bad(step.description);
}

Status write_edge(std::string& text, const std::string& rule, const NinjaStep& step) {
  if (has_newline(step)) {
    return make_error("cannot write a Ninja edge for " + step.description +
                      ": an argument or path holds a newline");
  }
  text += "build";
  for (const auto& output : step.outputs) text += " " + path_text(output);
  text += ": " + rule;
  for (const auto& input : step.inputs) text += " " + path_text(input);
  if (!step.implicit_inputs.empty()) {
    text += " |";
    for (const auto& input : step.implicit_inputs) text += " " + path_text(input);
  }
  text += "\n  cmd = " + value_text(display_command(step.argv)) + "\n";
  if (!step.depfile.empty()) text += "  dep = " + value_text(step.depfile.string()) + "\n";
  text += "  desc = " + value_text(step.description) + "\n\n";
  return Status::success();
}

}  // namespace

Result<std::string> ninja_file_text(const NinjaFile& file) {
  if (file.launcher.find('\n') != std::string::npos) {
    return make_error("--launcher: a newline cannot be written into a Ninja file");
  }
  std::string text =
      "# Written by aotc build --emit-ninja; regenerated when the matrix or aotc changes.\n"
      "# Run: ninja -f <this file>. Set `launcher` (ccache, sccache, icecc, distcc, ...) with\n"
      "# aotc build --emit-ninja FILE --launcher CMD, or edit it here.\n"
      "ninja_required_version = 1.10\n\n"
      "launcher = " +
      value_text(file.launcher) +
      "\n\n"
      "rule compile\n  command = $launcher $cmd\n  depfile = $dep\n  deps = gcc\n"
      "  description = $desc\n\n"
      "rule assemble\n  command = $cmd\n  description = $desc\n\n"
      "rule package\n  command = $cmd\n  depfile = $dep\n  deps = gcc\n  description = $desc\n"
      "  pool = console\n\n"
      "rule regenerate\n  command = $cmd\n  generator = 1\n  description = $desc\n\n";
  for (const auto& step : file.compiles) {
    if (auto written = write_edge(text, "compile", step); !written) return written.error();
  }
  for (const auto& step : file.assembles) {
    if (auto written = write_edge(text, "assemble", step); !written) return written.error();
  }
  for (const auto& step : file.finals) {
    if (auto written = write_edge(text, "package", step); !written) return written.error();
  }
  if (auto written = write_edge(text, "regenerate", file.regenerate); !written) {
    return written.error();
  }
  text += "default";
  for (const auto& step : file.finals) {
    for (const auto& output : step.outputs) text += " " + path_text(output);
  }
  return text + "\n";
}

}  // namespace aotc
