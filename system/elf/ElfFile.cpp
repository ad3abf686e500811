#include "system/elf/ElfFile.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace corokit::elf {
namespace {

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};
using ElfHandle = std::unique_ptr<Elf, ElfCloser>;

bool libelf_ready() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  return ready;
}

ElfParseResult fail(ElfErrorKind kind, std::string message) {
  ElfParseResult r;
  r.error = {kind, std::move(message)};
  return r;
}

ElfParseResult malformed(const std::string& why) {
  return fail(ElfErrorKind::Malformed, "malformed ELF: " + why);
}

// a + b <= limit without overflow.
bool fits(uint64_t a, uint64_t b, uint64_t limit) { return a <= limit && b <= limit - a; }

}  // namespace

struct ElfParser {
  static ElfParseResult parse(std::span<const uint8_t> bytes, const ElfReadOptions& options);
};

ElfParseResult ElfParser::parse(std::span<const uint8_t> bytes, const ElfReadOptions& options) {
  // The identification bytes are checked here so that the errors carry Microkit's wording and so
  // that libelf only ever sees a 64-bit little-endian file whose header is complete.
  if (bytes.size() < SELFMAG || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) {
    return fail(ElfErrorKind::Magic, "magic check failed");
  }
  if (bytes.size() <= EI_DATA) return malformed("file ends inside the identification bytes");
  uint8_t cls = bytes[EI_CLASS];
  if (cls == ELFCLASS32) return fail(ElfErrorKind::WordSize32, "unsupported word size: '32'");
  if (cls != ELFCLASS64) return fail(ElfErrorKind::Class, "invalid class '" + std::to_string(cls) + "'");
  if (bytes[EI_DATA] != ELFDATA2LSB) {
    return fail(ElfErrorKind::Endianness,
                "incorrect endianness, only little endian architectures are supported");
  }
  if (bytes.size() < sizeof(Elf64_Ehdr)) return malformed("file ends inside the ELF header");

  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (eh.e_phnum == 0 || eh.e_phoff == 0) {
    return fail(ElfErrorKind::NoProgramHeaders, "has no program headers");
  }
  if (eh.e_phnum == PN_XNUM) return malformed("extended program header numbering is not supported");
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return malformed("unexpected program header size");
  if (!fits(eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr), bytes.size())) {
    return malformed("program header table lies outside the file");
  }

  // Extended section numbering (e_shnum 0 with a table) is left to libelf; otherwise the table
  // must lie inside the file, so nothing appended to the file can ever turn into sections.
  if (eh.e_shoff != 0 && eh.e_shnum != 0) {
    if (eh.e_shentsize != sizeof(Elf64_Shdr)) return malformed("unexpected section header size");
    if (!fits(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr), bytes.size())) {
      return malformed("section header table lies outside the file");
    }
  }

  if (!libelf_ready()) return malformed("libelf could not be initialised");
  // elf_memory takes a mutable pointer; for reading a native-endian file it never writes to it.
  ElfHandle e(elf_memory(reinterpret_cast<char*>(const_cast<uint8_t*>(bytes.data())), bytes.size()));
  if (!e || elf_kind(e.get()) != ELF_K_ELF) {
    return malformed(std::string("libelf: ") + (elf_errmsg(-1) ? elf_errmsg(-1) : "unknown error"));
  }

  ElfFile out;
  out.machine = eh.e_machine;
  out.entry = eh.e_entry;

  size_t phnum = 0;
  if (elf_getphdrnum(e.get(), &phnum) != 0 || phnum != eh.e_phnum) {
    return malformed("program header table is unreadable");
  }
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(e.get(), static_cast<int>(i), &ph) == nullptr) {
      return malformed("program header " + std::to_string(i) + " is unreadable");
    }
    if (ph.p_type != PT_LOAD) continue;
    std::string which = "loadable segment " + std::to_string(i);
    if (!fits(ph.p_offset, ph.p_filesz, bytes.size())) return malformed(which + " lies outside the file");
    if (ph.p_filesz > ph.p_memsz) return malformed(which + " has a file size above its memory size");
    if (!fits(ph.p_vaddr, ph.p_memsz, UINT64_MAX)) return malformed(which + " wraps around the address space");
    Segment s;
    s.index = static_cast<uint32_t>(i);
    s.vaddr = ph.p_vaddr;
    s.mem_size = ph.p_memsz;
    s.file_size = ph.p_filesz;
    s.offset = ph.p_offset;
    s.align = ph.p_align;
    s.read = ph.p_flags & PF_R;
    s.write = ph.p_flags & PF_W;
    s.execute = ph.p_flags & PF_X;
    out.segments.push_back(s);
  }

  size_t shnum = 0;
  if (options.read_symbols || options.require_symbols) {
    if (elf_getshdrnum(e.get(), &shnum) != 0) return malformed("section header table is unreadable");
  }
  for (Elf_Scn* scn = shnum ? elf_nextscn(e.get(), nullptr) : nullptr; scn;
       scn = elf_nextscn(e.get(), scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr) return malformed("section header is unreadable");
    if (sh.sh_type != SHT_SYMTAB) continue;
    if (sh.sh_entsize != sizeof(Elf64_Sym)) return malformed("symbol table entry size is wrong");
    if (!fits(sh.sh_offset, sh.sh_size, bytes.size())) return malformed("symbol table lies outside the file");
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_size != sh.sh_size) return malformed("symbol table is unreadable");
    size_t count = sh.sh_size / sizeof(Elf64_Sym);
    out.symbols_.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) {
        return malformed("symbol " + std::to_string(i) + " is unreadable");
      }
      int type = GELF_ST_TYPE(sym.st_info);
      if (sym.st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE) continue;
      const char* name = elf_strptr(e.get(), sh.sh_link, sym.st_name);
      if (name == nullptr) return malformed("symbol " + std::to_string(i) + " has no readable name");
      if (*name == '\0') continue;
      out.symbols_.push_back({name, sym.st_value, sym.st_size, GELF_ST_BIND(sym.st_info) == STB_WEAK});
    }
    out.has_symtab_ = true;
    break;  // an executable has at most one SHT_SYMTAB
  }
  if (options.require_symbols && !out.has_symtab_) {
    return fail(ElfErrorKind::NoSymbolTable, "unable to find symbol table section");
  }
  std::stable_sort(out.symbols_.begin(), out.symbols_.end(),
                   [](const Symbol& a, const Symbol& b) { return a.name < b.name; });

  ElfParseResult r;
  r.file = std::move(out);
  return r;
}

ElfParseResult parse_elf(std::span<const uint8_t> bytes, const ElfReadOptions& options) {
  return ElfParser::parse(bytes, options);
}

std::vector<Symbol> ElfFile::find(std::string_view name) const {
  auto lower = std::lower_bound(symbols_.begin(), symbols_.end(), name,
                                [](const Symbol& s, std::string_view n) { return s.name < n; });
  std::vector<Symbol> found;
  for (auto it = lower; it != symbols_.end() && it->name == name; ++it) found.push_back(*it);
  return found;
}

const Segment* ElfFile::segment_containing(uint64_t addr, uint64_t size) const {
  for (const Segment& s : segments) {
    if (s.contains(addr, size)) return &s;
  }
  return nullptr;
}

std::string machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV: return "RISC-V";
    case EM_386: return "i386";
    case EM_ARM: return "ARM";
  }
  return "machine " + std::to_string(machine);
}

}  // namespace corokit::elf
