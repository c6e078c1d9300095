// Whole-file reads and crash-safe writes. A write goes to a temporary file in the destination's
// directory and is renamed over the destination on commit (rename is atomic within a file
// system), so a reader, a concurrent build or a build killed mid-write never sees half a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aotc {

// Reads a whole file; refuses files above max_bytes (hostile input must not cause a huge read).
Result<std::vector<std::uint8_t>> read_file_bytes(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes = 1ull << 31);
Result<std::string> read_file_text(const std::filesystem::path& path,
                                   std::uint64_t max_bytes = 1ull << 31);

// Writes bytes to path atomically (temporary file, fsync, rename). Creates parent directories.
Status write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
Status write_file_atomic(const std::filesystem::path& path, std::string_view text);

// Name of a temporary sibling of `path`, unique per process and call:
// `.tmp.<file name>.<pid>.<counter>`. Temporary names start with ".tmp." so cleanup after an
// interrupted build can find and remove them.
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

// The pid of the process that made a temporary file name with temporary_sibling, also when a tool
// that was told to write it appended its own suffix (lld writes `<name>.tmp<random>` and renames
// it); nullopt when the name holds none.
std::optional<long> temporary_writer_pid(std::string_view file_name);

}  // namespace aotc
