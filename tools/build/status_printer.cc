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
    out_ << line << '\n';
    return;
  }
  std::size_t width = terminal_width();
  if (line.size() >= width) line.resize(width - 1);  // a wrapped line cannot be redrawn
  out_ << '\r' << line << "\x1b[K" << std::flush;
  status_line_open_ = true;
}

void StatusPrinter::end_status_line() {
  if (!status_line_open_) return;
  out_ << '\n';
  status_line_open_ = false;
}

void StatusPrinter::compile_failed(const std::string& what, const std::string& command,
                                   const std::string& output) {
  end_status_line();
  out_ << "FAILED: " << what << '\n' << command << '\n' << output;
  if (!output.empty() && output.back() != '\n') out_ << '\n';
  out_ << std::flush;
}

void StatusPrinter::message(const std::string& line) {
  end_status_line();
  out_ << line << '\n' << std::flush;
}

void StatusPrinter::summary(const BuildSummary& summary) {
  end_status_line();
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.2f", summary.wall_seconds);
  auto counted = [](std::size_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  };
  out_ << "aotc: " << counted(summary.variants, "variant") << ", "
       << counted(summary.targets, "target") << ": " << summary.compiled << " compiled, "
       << summary.cached << " cached, " << summary.failed << " failed in " << wall << " s" << '\n'
       << std::flush;
}

}  // namespace aotc
