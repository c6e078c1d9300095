// The C types a launch rule may give its params: pointers (void*, const void*, T*, const T* for
// the scalar types below) and fixed-width scalars. A closed set, so the generator knows each
// type's size (checked against the code-object metadata) and how it may be used in expressions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aotc::launcher {

enum class CTypeKind { pointer, signed_integer, unsigned_integer, floating };

struct CType {
  std::string spelling;  // normalised C spelling, e.g. "const float*", "int32_t"
  CTypeKind kind = CTypeKind::pointer;
  std::uint32_t size = 0;  // bytes in the kernel's argument buffer

  bool is_integer() const {
    return kind == CTypeKind::signed_integer || kind == CTypeKind::unsigned_integer;
  }
};

// Parses a type name ("float", "const void*", "uint16_t *"); nullopt when it is not allowed.
std::optional<CType> parse_c_type(std::string_view text);

// The allowed spellings, for error messages.
std::string allowed_c_types();

}  // namespace aotc::launcher
