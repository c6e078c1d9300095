// Where a build's wall time went, for `aotc build --timings`: each phase's seconds, and of the
// compiles their sum, the slots they shared and the longest with when it started. A build bound by
// one long compile (its start plus its length is the wall time) needs that compile started sooner
// or made shorter; one bound by the sum needs more slots; one bound by a phase needs that phase
// looked at.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace aotc {

class BuildTimings {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BuildTimings(Clock::time_point started) : started_(started), last_mark_(started) {}

  // The phase that ran since the previous mark (or the start) ends now.
  void phase_done(std::string name);
  // A compile of `object` that took `seconds` has just finished.
  void compile_done(const std::string& object, double seconds);

  // One line: "load 0.41 s, plan 0.12 s, ...; 192 compiles: 271.8 s in all over 16 slots,
  // longest 19.2 s (gfx942 name) from 5.9 s to 25.1 s".
  std::string report(std::size_t slots) const;

 private:
  double since_start(Clock::time_point when) const;

  Clock::time_point started_;
  Clock::time_point last_mark_;
  std::vector<std::pair<std::string, double>> phases_;
  std::size_t compiles_ = 0;
  double compile_seconds_ = 0;
  std::string longest_;
  double longest_seconds_ = -1;
  double longest_finished_at_ = 0;
};

}  // namespace aotc
