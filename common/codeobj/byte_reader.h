// Bounds-checked little-endian reads over untrusted bytes. Every read copies with memcpy (mold's
// idea), so fields can sit at any alignment without undefined behaviour, and every read checks
// offset + size against the buffer with overflow-safe arithmetic before touching a byte.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace aotc::codeobj {

// True when [offset, offset + size) lies inside a buffer of `total` bytes (no overflow).
constexpr bool range_fits(std::uint64_t offset, std::uint64_t size, std::uint64_t total) {
  return offset <= total && size <= total - offset;
}

// Reads an unsigned little-endian integer of type T at `offset`; nullopt when it would overrun.
template <class T>
std::optional<T> read_le(std::span<const std::uint8_t> bytes, std::uint64_t offset) {
  static_assert(std::is_unsigned_v<T>);
  if (!range_fits(offset, sizeof(T), bytes.size())) return std::nullopt;
  std::uint8_t raw[sizeof(T)];
  std::memcpy(raw, bytes.data() + offset, sizeof(T));
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(raw[i]) << (8 * i);
  return value;
}

// The sub-span [offset, offset + size); nullopt when it would overrun.
inline std::optional<std::span<const std::uint8_t>> sub_span(std::span<const std::uint8_t> bytes,
                                                             std::uint64_t offset,
                                                             std::uint64_t size) {
  if (!range_fits(offset, size, bytes.size())) return std::nullopt;
  return bytes.subspan(offset, size);
}

inline std::string_view as_chars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Sequential reader: a cursor over a span that remembers the first failed read, so format code
// reads a whole header and checks once (`if (!r.ok())`) instead of after every field.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes, std::uint64_t offset = 0)
      : bytes_(bytes), offset_(offset) {}

  template <class T>
  T read() {
    auto value = read_le<T>(bytes_, offset_);
    if (!value) {
      failed_ = true;
      return 0;
    }
    offset_ += sizeof(T);
    return *value;
  }

  // Next `size` bytes; an empty span (and a failed reader) when they are not all there.
  std::span<const std::uint8_t> read_bytes(std::uint64_t size) {
    auto span = sub_span(bytes_, offset_, size);
    if (!span) {
      failed_ = true;
      return {};
    }
    offset_ += size;
    return *span;
  }

  bool ok() const { return !failed_; }
  std::uint64_t offset() const { return offset_; }
  std::uint64_t remaining() const { return offset_ <= bytes_.size() ? bytes_.size() - offset_ : 0; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::uint64_t offset_;
  bool failed_ = false;
};

}  // namespace aotc::codeobj
