#include "build/status_printer.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace aotc {

namespace {

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fs", seconds);
  return buffer;
}

}  // namespace

StatusPrinter::StatusPrinter(std::ostream& out, bool redraw, std::size_t total_compiles)
    : out_(out), redraw_(redraw), total_(total_compiles) {}

bool StatusPrinter::stdout_is_smart_terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) && term && std::strcmp(term, "dumb") != 0;
}

void StatusPrinter::compile_finished(const std::string& target, const std::string& variant,
                                     double seconds) {
  ++done_;
  // Appended piecewise: GCC 12 reports a false -Wrestrict on `"[" + std::to_string(...)` chains.
  std::string line = "[";
  line.append(std::to_string(done_)).append("/").append(std::to_string(total_)).append("] ");
  line.append(target).append(" ").append(variant).append(" ").append(seconds_text(seconds));
  if (!redraw_) {
    emit(line + '\n');
    return;
  }
  std::size_t width = terminal_width();
  if (line.size() >= width) line.resize(width - 1);  // a wrapped line cannot be redrawn
  emit('\r' + line + "\x1b[K");
  status_line_open_ = true;
}

void StatusPrinter::emit(const std::string& text) { out_ << text << std::flush; }

void StatusPrinter::end_status_line() {
  if (!status_line_open_) return;
  emit("\n");
  status_line_open_ = false;
}

void StatusPrinter::compile_failed(const std::string& what, const std::string& command,
                                   const std::string& output) {
  end_status_line();
  emit("FAILED: " + what + '\n');
  emit(command + '\n');
  // The tool's output line by line: a long report is not one write.
  for (std::size_t start = 0; start < output.size();) {
    std::size_t end = output.find('\n', start);
    end = end == std::string::npos ? output.size() : end + 1;
    std::string line = output.substr(start, end - start);
    if (line.back() != '\n') line += '\n';
    emit(line);
    start = end;
  }
}

void StatusPrinter::message(const std::string& line) {
  end_status_line();
  emit(line + '\n');
}

void StatusPrinter::summary(const BuildSummary& summary) {
  end_status_line();
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.2f", summary.wall_seconds);
  auto counted = [](std::size_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  };
  emit("aotc: " + counted(summary.variants, "variant") + ", " + counted(summary.targets, "target") +
       ": " + std::to_string(summary.compiled) + " compiled, " + std::to_string(summary.cached) +
       " cached, " + std::to_string(summary.failed) + " failed in " + wall + " s\n");
}

}  // namespace aotc
