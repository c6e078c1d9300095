// Little-endian writes into a growing buffer: the mirror of byte_reader.h's ByteReader, so format
// code writes a header field by field in file order, as its layout comment lists them, instead of
// poking values at literal offsets.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aotc::codeobj {

class ByteWriter {
 public:
  // Appends an unsigned little-endian integer of type T.
  template <class T>
  void write(T value) {
    static_assert(std::is_unsigned_v<T>);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
  }

  void write_bytes(std::span<const std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  void write_text(std::string_view text) { bytes_.insert(bytes_.end(), text.begin(), text.end()); }

  // Zero bytes up to `offset`; nothing when already there or past it.
  void pad_to(std::uint64_t offset) {
    if (offset > bytes_.size()) bytes_.resize(static_cast<std::size_t>(offset), 0);
  }

  std::uint64_t size() const { return bytes_.size(); }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace aotc::codeobj
