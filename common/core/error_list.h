// Collect, then report all: a phase gathers every problem it finds (a matrix's bad entries, a
// launch rule's mistakes, every variant and target a rule contradicts) and stops at a checkpoint
// with one Error listing them, one per line. Past `max_listed` problems only the count grows, so a
// mistake repeated over thousands of variants (or a hostile input) stays readable and bounded.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace aotc {

class ErrorList {
 public:
  // The line that counts what was left out reads "<more_prefix>... and N more problems".
  explicit ErrorList(std::size_t max_listed = 50, std::string more_prefix = {})
      : max_listed_(max_listed), more_prefix_(std::move(more_prefix)) {}

  void add(std::string message) {
    if (count_++ < max_listed_) lines_.push_back(std::move(message));
  }
  // An error's message may hold several lines (another list's): each counts as one problem.
  void add(const Error& error) {
    std::size_t start = 0;
    while (start <= error.message.size()) {
      const std::size_t end = error.message.find('\n', start);
      add(error.message.substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }

  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }

  // Success when nothing was added; otherwise one Error holding every listed line.
  Status status() const {
    if (count_ == 0) return Status::success();
    std::string message;
    for (const std::string& line : lines_) {
      if (!message.empty()) message += '\n';
      message += line;
    }
    if (count_ > lines_.size()) {
      const std::size_t more = count_ - lines_.size();
      message += "\n" + more_prefix_ + "... and " + std::to_string(more) +
                 (more == 1 ? " more problem" : " more problems");
    }
    return make_error(std::move(message));
  }

 private:
  std::size_t max_listed_;
  std::string more_prefix_;
  std::vector<std::string> lines_;
  std::size_t count_ = 0;
};

}  // namespace aotc
