#include "build/compile_costs.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "core/atomic_file.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {
// Far more than any matrix's objects need (a line is ~100 bytes): a larger file is not ours.
constexpr std::uintmax_t kMaxFileBytes = 64u << 20;
}  // namespace

CompileCosts CompileCosts::load(const fs::path& cache_dir) {
  CompileCosts costs;
  costs.file_ = cache_dir / "compile_seconds.tsv";
  std::error_code ec;
  const auto size = fs::file_size(costs.file_, ec);
  if (ec || size > kMaxFileBytes) return costs;
  auto text = read_file_text(costs.file_);
  if (!text) return costs;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto tab1 = line.find('\t');
    const auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) continue;
    double seconds = 0.0;
    const auto [end, error] = std::from_chars(line.data(), line.data() + tab1, seconds);
    if (error != std::errc() || end != line.data() + tab1 || !std::isfinite(seconds) ||
        seconds < 0.0)
      continue;
    costs.seconds_[{line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1)}] = seconds;
  }
  return costs;
}

std::optional<double> CompileCosts::seconds(const std::string& target,
                                            const std::string& object) const {
  auto it = seconds_.find({target, object});
  if (it == seconds_.end()) return std::nullopt;
  return it->second;
}

void CompileCosts::record(const std::string& target, const std::string& object, double seconds) {
  seconds_[{target, object}] = seconds;
}

Status CompileCosts::save() const {
  std::string text;
  char number[32];
  for (const auto& [id, seconds] : seconds_) {
    const auto [end, error] =
        std::to_chars(number, number + sizeof number, seconds, std::chars_format::fixed, 3);
    if (error != std::errc()) continue;
    text.append(number, end).append("\t").append(id.first).append("\t").append(id.second);
    text += '\n';
  }
  if (auto written = write_file_atomic(file_, text); !written)
    return written.error().with_context("compile-time history");
  return Status::success();
}

}  // namespace aotc
