// The build's console output (ninja's status printer): the builder only reports events; this
// turns them into `[37/144] gfx942 pa_decode.kv-bf16.bs64.q2.h64x8.d128 0.41s` lines, redrawn in
// place on a terminal and printed one per line otherwise, a full report for each failure (the
// command, then everything the tool printed) and a closing summary. Every line is written whole
// and flushed at once, so a CI log shows progress as it happens (stdout to a pipe or file is
// otherwise block-buffered until the end) and a log cut by SIGKILL ends on a whole line.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

namespace aotc {

struct BuildSummary {
  std::size_t variants = 0;
  std::size_t targets = 0;
  std::size_t compiled = 0;
  std::size_t cached = 0;
  std::size_t failed = 0;
  double wall_seconds = 0;
};

class StatusPrinter {
 public:
  // `redraw`: overwrite one status line (a terminal); otherwise print plain lines.
  StatusPrinter(std::ostream& out, bool redraw, std::size_t total_compiles = 0);

  // How many compiles the [done/total] counter counts to (known once the cache was consulted).
  void set_total(std::size_t total_compiles) { total_ = total_compiles; }

  // One compile finished (successfully or not).
  void compile_finished(const std::string& target, const std::string& variant, double seconds);
  // A compile failed: what failed, the command that failed, and the tool's output.
  void compile_failed(const std::string& what, const std::string& command,
                      const std::string& output);
  // Any other line (warnings, notices): never lost under a redrawn status line.
  void message(const std::string& line);
  void summary(const BuildSummary& summary);
  // Ends a redrawn status line, before someone else prints (an error on stderr).
  void end_status_line();

  // True when `out` should be redrawn: stdout is a terminal that is not "dumb".
  static bool stdout_is_smart_terminal();

 private:
  // Writes `text` (whole lines, or the redrawn status line) and flushes it.
  void emit(const std::string& text);

  std::ostream& out_;
  bool redraw_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool status_line_open_ = false;
};

}  // namespace aotc
