#include "launcher/c_types.h"

#include <array>

namespace aotc::launcher {
namespace {

struct Scalar {
  std::string_view name;
  CTypeKind kind;
  std::uint32_t size;
};

// Fixed-width only: `int` or `long` would leave the size to the host ABI, and the generator must
// know it to check the code object's argument layout.
constexpr std::array<Scalar, 10> k_scalars{{
    {"int8_t", CTypeKind::signed_integer, 1},
    {"uint8_t", CTypeKind::unsigned_integer, 1},
    {"int16_t", CTypeKind::signed_integer, 2},
    {"uint16_t", CTypeKind::unsigned_integer, 2},
    {"int32_t", CTypeKind::signed_integer, 4},
    {"uint32_t", CTypeKind::unsigned_integer, 4},
    {"int64_t", CTypeKind::signed_integer, 8},
    {"uint64_t", CTypeKind::unsigned_integer, 8},
    {"float", CTypeKind::floating, 4},
    {"double", CTypeKind::floating, 8},
}};

constexpr std::uint32_t k_pointer_size = 8;  // every target aotc builds for is 64-bit

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const Scalar* find_scalar(std::string_view name) {
  for (const Scalar& s : k_scalars) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

std::optional<CType> parse_c_type(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty() || t.back() != '*') {
    const Scalar* s = find_scalar(t);
    if (s == nullptr) return std::nullopt;
    return CType{std::string(s->name), s->kind, s->size};
  }
  t = trim(t.substr(0, t.size() - 1));
  bool is_const = false;
  if (t.starts_with("const ") || t.starts_with("const\t")) {
    is_const = true;
    t = trim(t.substr(6));
  }
  if (t != "void" && find_scalar(t) == nullptr) return std::nullopt;
  return CType{std::string(is_const ? "const " : "") + std::string(t) + "*", CTypeKind::pointer,
               k_pointer_size};
}

std::string allowed_c_types() {
  std::string out = "void*, const void*";
  for (const Scalar& s : k_scalars) out += ", " + std::string(s.name);
  out += ", and T* / const T* for those scalars";
  return out;
}

}  // namespace aotc::launcher
