#include "build/build_timings.h"

#include <cstdio>

namespace aotc {

namespace {
std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}
}  // namespace

double BuildTimings::since_start(Clock::time_point when) const {
  return std::chrono::duration<double>(when - started_).count();
}

void BuildTimings::phase_done(std::string name) {
  auto now = Clock::now();
  phases_.emplace_back(std::move(name), std::chrono::duration<double>(now - last_mark_).count());
  last_mark_ = now;
}

void BuildTimings::compile_done(const std::string& object, double seconds) {
  ++compiles_;
  compile_seconds_ += seconds;
  if (seconds > longest_seconds_) {
    longest_ = object;
    longest_seconds_ = seconds;
    longest_finished_at_ = since_start(Clock::now());
  }
}

std::string BuildTimings::report(std::size_t slots) const {
  std::string line;
  for (const auto& [name, seconds] : phases_)
    line.append(line.empty() ? "" : ", ").append(name).append(" ").append(seconds_text(seconds));
  line.append("; ").append(std::to_string(compiles_)).append(" compiles");
  if (compiles_ == 0) return line;
  line.append(": ").append(seconds_text(compile_seconds_)).append(" in all over ");
  line.append(std::to_string(slots)).append(" slots, longest ");
  line.append(seconds_text(longest_seconds_)).append(" (").append(longest_).append(") from ");
  line.append(seconds_text(longest_finished_at_ - longest_seconds_)).append(" to ");
  line.append(seconds_text(longest_finished_at_));
  return line;
}

}  // namespace aotc
