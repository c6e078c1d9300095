// A bounds-checked reader for 64-bit little-endian ELF files (AMDGPU code objects, CUDA cubins).
// It validates every offset, size and count against the buffer before use and never allocates in
// proportion to a count the file has not paid for in bytes. The parsed ElfFile holds spans into
// the caller's buffer: keep the buffer alive while using it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc::codeobj {

inline constexpr std::uint16_t kEmAmdgpu = 224;
inline constexpr std::uint16_t kEmCuda = 190;
inline constexpr std::uint32_t kShtSymtab = 2;
inline constexpr std::uint32_t kShtNote = 7;
inline constexpr std::uint32_t kShtNobits = 8;

struct ElfHeader {
  std::uint8_t os_abi = 0;
  std::uint8_t abi_version = 0;
  std::uint16_t type = 0;
  std::uint16_t machine = 0;
  std::uint32_t flags = 0;
};

struct ElfSection {
  std::string name;
  std::uint32_t type = 0;
  std::uint64_t flags = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;  // for SHT_NOBITS the memory size; `data` is then empty
  std::uint32_t link = 0;
  std::uint32_t info = 0;
  std::uint64_t align = 0;
  std::uint64_t entsize = 0;
  std::span<const std::uint8_t> data;
};

struct ElfNote {
  std::string owner;  // name without the trailing NUL
  std::uint32_t type = 0;
  std::span<const std::uint8_t> desc;
  std::size_t section = 0;  // index into ElfFile::sections
};

struct ElfSymbol {
  std::string name;
  std::uint64_t value = 0;
  std::uint64_t size = 0;
  std::uint8_t info = 0;   // binding << 4 | type
  std::uint8_t other = 0;  // visibility; CUDA keeps its entry flag and register count here
  std::uint16_t section = 0;
  std::uint8_t type() const { return info & 0xf; }
  std::uint8_t binding() const { return info >> 4; }
};

struct ElfFile {
  ElfHeader header;
  std::vector<ElfSection> sections;
  std::vector<ElfNote> notes;      // from every SHT_NOTE section, in file order
  std::vector<ElfSymbol> symbols;  // from .symtab (index 0, the null symbol, included)

  const ElfSection* find_section(std::string_view name) const;
};

// Parses an ELF64 little-endian file. Errors name the structure and the offending offset/size.
Result<ElfFile> parse_elf64(std::span<const std::uint8_t> bytes);

}  // namespace aotc::codeobj
