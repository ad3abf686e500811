// A PD's ELF as the packer needs it (SDF.md §9): machine, entry point, loadable segments and the
// symbol table, read through libelf from bytes already in memory.
//
// Only 64-bit little-endian executables are accepted. Every offset and size libelf hands back is
// checked against the buffer, so arbitrary bytes give an error, never a crash (fuzzed).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace corokit::elf {

// Why an ELF was rejected; the kinds map onto the diagnostics L02 (not an ELF / unreadable),
// L03 (32-bit) and L04 (big-endian, no program headers, no symbol table).
enum class ElfErrorKind : uint8_t {
  Magic,             // "magic check failed"
  Class,             // "invalid class '<c>'"
  WordSize32,        // "unsupported word size: '32'"
  Endianness,        // "incorrect endianness, only little endian architectures are supported"
  NoProgramHeaders,  // "has no program headers"
  NoSymbolTable,     // "unable to find symbol table section"
  Malformed,         // anything else: truncated tables, offsets outside the file, ...
};

struct ElfError {
  ElfErrorKind kind = ElfErrorKind::Malformed;
  std::string message;  // Microkit's wording for the kind, plus detail for Malformed
};

struct Segment {
  uint32_t index = 0;  // in the program header table
  uint64_t vaddr = 0;
  uint64_t mem_size = 0;
  uint64_t file_size = 0;
  uint64_t offset = 0;  // in the file
  uint64_t align = 0;
  bool read = false, write = false, execute = false;

  uint64_t end() const { return vaddr + mem_size; }  // checked not to overflow
  bool contains(uint64_t addr, uint64_t size) const {
    return addr >= vaddr && size <= mem_size && addr - vaddr <= mem_size - size;
  }
};

struct Symbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  bool weak = false;  // STB_WEAK: a default that a strong definition would have replaced
};

struct ElfReadOptions {
  bool require_symbols = true;  // a symbol table must be present (L04)
  bool read_symbols = true;     // false: sections are not looked at (loading and patching)
};

class ElfFile {
 public:
  uint16_t machine = 0;  // e_machine
  uint64_t entry = 0;
  std::vector<Segment> segments;  // PT_LOAD only, in program-header order

  // Every defined symbol of that name (none, one, or duplicates).
  std::vector<Symbol> find(std::string_view name) const;
  bool has_symbol_table() const { return has_symtab_; }
  size_t symbol_count() const { return symbols_.size(); }

  // The loadable segment containing [addr, addr + size), if any.
  const Segment* segment_containing(uint64_t addr, uint64_t size) const;

 private:
  friend struct ElfParser;
  bool has_symtab_ = false;
  std::vector<Symbol> symbols_;  // sorted by name
};

struct ElfParseResult {
  std::optional<ElfFile> file;
  ElfError error;  // when !file

  bool ok() const { return file.has_value(); }
};

// Parses an ELF held in `bytes` (which must stay alive only for the call).
ElfParseResult parse_elf(std::span<const uint8_t> bytes, const ElfReadOptions& options = {});

// "x86-64", "AArch64", "RISC-V", or "machine <n>".
std::string machine_name(uint16_t machine);

}  // namespace corokit::elf
