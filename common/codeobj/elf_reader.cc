// ELF64 parsing. Why the checks look the way they do: section, segment and symbol counts come
// from the file, so each table's byte extent is checked against the buffer before a single entry
// is read or any vector is sized; string lookups require a NUL inside their string table; note
// records are walked with overflow-safe arithmetic so a crafted n_descsz cannot wrap the cursor.
#include "codeobj/elf_reader.h"

#include <algorithm>

#include "codeobj/byte_reader.h"
#include "codeobj/concat.h"

namespace aotc::codeobj {
namespace {

constexpr std::uint64_t kEhdrSize = 64;
constexpr std::uint64_t kPhdrSize = 56;
constexpr std::uint64_t kShdrSize = 64;
constexpr std::uint64_t kSymSize = 24;
constexpr std::uint16_t kShnXindex = 0xffff;
constexpr std::uint16_t kPnXnum = 0xffff;

Error elf_error(std::string message) { return make_error("ELF: " + std::move(message)); }

// NUL-terminated string at `index` of a string table.
Result<std::string> string_at(std::span<const std::uint8_t> table, std::uint64_t index,
                              std::string_view what) {
  if (index >= table.size()) {
    return elf_error(concat(what, " name offset ", index, " is outside its string table (",
                            table.size(), " bytes)"));
  }
  auto rest = as_chars(table.subspan(index));
  auto end = rest.find('\0');
  if (end == std::string_view::npos) {
    return elf_error(concat(what, " name at offset ", index, " is not NUL-terminated"));
  }
  return std::string(rest.substr(0, end));
}

Status read_notes(std::span<const std::uint8_t> data, std::size_t section_index,
                  std::uint64_t align, std::vector<ElfNote>& notes) {
  // ELF64 notes are 4-aligned in practice; a section aligned to 8 pads to 8 (gABI).
  const std::uint64_t pad = align == 8 ? 8 : 4;
  auto round_up = [pad](std::uint64_t n) { return (n + pad - 1) / pad * pad; };
  std::uint64_t pos = 0;
  while (pos < data.size()) {
    ByteReader r(data, pos);
    auto namesz = r.read<std::uint32_t>();
    auto descsz = r.read<std::uint32_t>();
    auto type = r.read<std::uint32_t>();
    if (!r.ok()) {
      return elf_error(
          concat("section ", section_index, ": truncated note header at offset ", pos));
    }
    std::uint64_t name_at = r.offset();
    std::uint64_t desc_at = name_at + round_up(namesz);  // namesz is 32-bit: no overflow
    if (!range_fits(name_at, namesz, data.size()) || !range_fits(desc_at, descsz, data.size())) {
      return elf_error(concat("section ", section_index, ": note at offset ", pos, " (name ",
                              namesz, " bytes, desc ", descsz, " bytes) overruns the section (",
                              data.size(), " bytes)"));
    }
    ElfNote note;
    auto owner = as_chars(data.subspan(name_at, namesz));
    note.owner = std::string(owner.substr(0, owner.find('\0')));
    note.type = type;
    note.desc = data.subspan(desc_at, descsz);
    note.section = section_index;
    notes.push_back(std::move(note));
    pos = desc_at + round_up(descsz);
  }
  return Status::success();
}

}  // namespace

const ElfSection* ElfFile::find_section(std::string_view name) const {
  auto it = std::find_if(sections.begin(), sections.end(),
                         [&](const ElfSection& s) { return s.name == name; });
  return it == sections.end() ? nullptr : &*it;
}

Result<ElfFile> parse_elf64(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kEhdrSize) {
    return elf_error(concat("file is ", bytes.size(), " bytes, shorter than an ELF64 header"));
  }
  if (!(bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F')) {
    return elf_error("bad magic (not an ELF file)");
  }
  if (bytes[4] != 2) return elf_error("not a 64-bit ELF file (EI_CLASS != ELFCLASS64)");
  if (bytes[5] != 1) return elf_error("not a little-endian ELF file (EI_DATA != ELFDATA2LSB)");

  ElfFile elf;
  elf.header.os_abi = bytes[7];
  elf.header.abi_version = bytes[8];
  ByteReader h(bytes, 16);
  elf.header.type = h.read<std::uint16_t>();
  elf.header.machine = h.read<std::uint16_t>();
  h.read<std::uint32_t>();  // e_version
  h.read<std::uint64_t>();  // e_entry
  std::uint64_t phoff = h.read<std::uint64_t>();
  std::uint64_t shoff = h.read<std::uint64_t>();
  elf.header.flags = h.read<std::uint32_t>();
  h.read<std::uint16_t>();  // e_ehsize
  std::uint16_t phentsize = h.read<std::uint16_t>();
  std::uint64_t phnum = h.read<std::uint16_t>();
  std::uint16_t shentsize = h.read<std::uint16_t>();
  std::uint64_t shnum = h.read<std::uint16_t>();
  std::uint32_t shstrndx = h.read<std::uint16_t>();

  if (shoff != 0 && shentsize != kShdrSize) {
    return elf_error(concat("e_shentsize is ", shentsize, ", expected ", kShdrSize));
  }
  // Extended numbering: counts that do not fit in 16 bits live in section header 0.
  if (shoff != 0 && (shnum == 0 || shstrndx == kShnXindex || phnum == kPnXnum)) {
    ByteReader s0(bytes, shoff);
    s0.read_bytes(32);
    std::uint64_t size0 = s0.read<std::uint64_t>();
    std::uint32_t link0 = s0.read<std::uint32_t>();
    std::uint32_t info0 = s0.read<std::uint32_t>();
    if (!s0.ok()) return elf_error(concat("section header 0 at ", shoff, " is truncated"));
    if (shnum == 0) shnum = size0;
    if (shstrndx == kShnXindex) shstrndx = link0;
    if (phnum == kPnXnum) phnum = info0;
  }
  // The program headers (the loader's view) are not read, but a table or segment past the end
  // of the file means a truncated or forged object that a driver would read out of bounds.
  if (phnum != 0) {
    if (phentsize != kPhdrSize) {
      return elf_error(concat("e_phentsize is ", phentsize, ", expected ", kPhdrSize));
    }
    if (phnum > bytes.size() / kPhdrSize || !range_fits(phoff, phnum * kPhdrSize, bytes.size())) {
      return elf_error(concat("program header table (", phnum, " entries at offset ", phoff,
                              ") exceeds the ", bytes.size(), "-byte file"));
    }
    for (std::uint64_t i = 0; i < phnum; ++i) {
      ByteReader p(bytes, phoff + i * kPhdrSize);
      p.read<std::uint32_t>();  // p_type
      p.read<std::uint32_t>();  // p_flags
      std::uint64_t offset = p.read<std::uint64_t>();
      p.read<std::uint64_t>();  // p_vaddr
      p.read<std::uint64_t>();  // p_paddr
      std::uint64_t file_size = p.read<std::uint64_t>();
      if (!range_fits(offset, file_size, bytes.size())) {
        return elf_error(concat("segment ", i, ": offset ", offset, " size ", file_size,
                                " exceeds the ", bytes.size(), "-byte file"));
      }
    }
  }
  if (shoff == 0) return elf;  // no section headers: nothing more to read
  if (shnum > (bytes.size() / kShdrSize) || !range_fits(shoff, shnum * kShdrSize, bytes.size())) {
    return elf_error(concat("section header table (", shnum, " entries at offset ", shoff,
                            ") exceeds the ", bytes.size(), "-byte file"));
  }

  std::vector<std::uint32_t> name_offsets;
  elf.sections.reserve(shnum);
  for (std::uint64_t i = 0; i < shnum; ++i) {
    ByteReader r(bytes, shoff + i * kShdrSize);
    ElfSection s;
    name_offsets.push_back(r.read<std::uint32_t>());
    s.type = r.read<std::uint32_t>();
    s.flags = r.read<std::uint64_t>();
    r.read<std::uint64_t>();  // sh_addr
    s.offset = r.read<std::uint64_t>();
    s.size = r.read<std::uint64_t>();
    s.link = r.read<std::uint32_t>();
    s.info = r.read<std::uint32_t>();
    s.align = r.read<std::uint64_t>();
    s.entsize = r.read<std::uint64_t>();
    if (s.type != kShtNobits && i != 0) {
      auto data = sub_span(bytes, s.offset, s.size);
      if (!data) {
        return elf_error(concat("section ", i, ": offset ", s.offset, " size ", s.size,
                                " exceeds the ", bytes.size(), "-byte file"));
      }
      s.data = *data;
    }
    elf.sections.push_back(std::move(s));
  }

  if (shstrndx != 0) {
    if (shstrndx >= elf.sections.size()) {
      return elf_error(concat("e_shstrndx ", shstrndx, " is not a section (there are ",
                              elf.sections.size(), ")"));
    }
    auto table = elf.sections[shstrndx].data;
    for (std::size_t i = 0; i < elf.sections.size(); ++i) {
      if (i == 0 && name_offsets[i] == 0) continue;
      auto name = string_at(table, name_offsets[i], concat("section ", i));
      if (!name) return name.error();
      elf.sections[i].name = std::move(*name);
    }
  }

  for (std::size_t i = 0; i < elf.sections.size(); ++i) {
    const ElfSection& s = elf.sections[i];
    if (s.type == kShtNote) {
      if (auto st = read_notes(s.data, i, s.align, elf.notes); !st) return st.error();
    }
  }

  auto symtab = std::find_if(elf.sections.begin(), elf.sections.end(),
                             [](const ElfSection& s) { return s.type == kShtSymtab; });
  if (symtab != elf.sections.end()) {
    if (symtab->entsize != kSymSize) {
      return elf_error(concat(".symtab entry size is ", symtab->entsize, ", expected ", kSymSize));
    }
    if (symtab->link >= elf.sections.size()) {
      return elf_error(
          concat(".symtab links to string table ", symtab->link, ", which does not exist"));
    }
    auto strtab = elf.sections[symtab->link].data;
    std::uint64_t count = symtab->data.size() / kSymSize;  // bounded by bytes present
    elf.symbols.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      ByteReader r(symtab->data, i * kSymSize);
      std::uint32_t name_offset = r.read<std::uint32_t>();
      ElfSymbol sym;
      sym.info = r.read<std::uint8_t>();
      sym.other = r.read<std::uint8_t>();
      sym.section = r.read<std::uint16_t>();
      sym.value = r.read<std::uint64_t>();
      sym.size = r.read<std::uint64_t>();
      if (name_offset != 0) {
        auto name = string_at(strtab, name_offset, concat("symbol ", i));
        if (!name) return name.error();
        sym.name = std::move(*name);
      }
      elf.symbols.push_back(std::move(sym));
    }
  }
  return elf;
}

}  // namespace aotc::codeobj
