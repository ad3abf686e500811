// Synthetic PD ELFs for benchmarks: a valid x86-64 executable of a chosen size whose text is
// pseudo-random bytes, with a data segment holding the six microkit_* symbols and one setvar
// target (`buffer_vaddr`) followed by a .bss tail, and a symbol table.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace corokit::bench {

inline std::vector<uint8_t> synthetic_pd_elf(uint64_t text_size, uint32_t seed) {
  constexpr uint64_t kBase = 0x200000, kPage = 0x1000;
  struct Sym {
    const char* name;
    uint64_t offset, size;
  };
  const Sym syms[] = {{"microkit_name", 0, 64}, {"microkit_passive", 64, 1}, {"microkit_irqs", 72, 8},
                      {"microkit_notifications", 80, 8}, {"microkit_pps", 88, 8}, {"microkit_ioports", 96, 8},
                      {"buffer_vaddr", 104, 8}};

  uint64_t text_off = kPage;
  uint64_t data_off = text_off + (text_size + kPage - 1) / kPage * kPage;
  uint64_t data_vaddr = kBase + data_off;
  uint64_t data_file = 0x80, data_mem = 0x2000;  // buffer_vaddr sits in the file part, the tail is .bss

  std::string strtab(1, '\0');
  std::vector<Elf64_Sym> symtab(1, Elf64_Sym{});
  for (const Sym& s : syms) {
    Elf64_Sym e{};
    e.st_name = static_cast<uint32_t>(strtab.size());
    e.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
    e.st_shndx = 2;  // .data
    e.st_value = data_vaddr + s.offset;
    e.st_size = s.size;
    symtab.push_back(e);
    strtab += s.name;
    strtab += '\0';
  }
  const std::string shstrtab = std::string("\0.text\0.data\0.symtab\0.strtab\0.shstrtab\0", 40);

  uint64_t symtab_off = data_off + data_file;
  uint64_t strtab_off = symtab_off + symtab.size() * sizeof(Elf64_Sym);
  uint64_t shstr_off = strtab_off + strtab.size();
  uint64_t sh_off = (shstr_off + shstrtab.size() + 7) / 8 * 8;
  std::vector<uint8_t> out(sh_off + 6 * sizeof(Elf64_Shdr), 0);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = kBase + text_off;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_shoff = sh_off;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 6;
  eh.e_shstrndx = 5;
  std::memcpy(out.data(), &eh, sizeof eh);

  Elf64_Phdr ph[2]{};
  ph[0] = {PT_LOAD, PF_R | PF_X, text_off, kBase + text_off, kBase + text_off, text_size, text_size, kPage};
  ph[1] = {PT_LOAD, PF_R | PF_W, data_off, data_vaddr, data_vaddr, data_file, data_mem, kPage};
  std::memcpy(out.data() + eh.e_phoff, ph, sizeof ph);

  std::mt19937_64 rng(seed);
  for (uint64_t i = 0; i + 8 <= text_size; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + text_off + i, &v, 8);
  }
  std::memcpy(out.data() + symtab_off, symtab.data(), symtab.size() * sizeof(Elf64_Sym));
  std::memcpy(out.data() + strtab_off, strtab.data(), strtab.size());
  std::memcpy(out.data() + shstr_off, shstrtab.data(), shstrtab.size());

  Elf64_Shdr sh[6]{};
  sh[1] = {1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, kBase + text_off, text_off, text_size, 0, 0, 16, 0};
  sh[2] = {7, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data_vaddr, data_off, data_file, 0, 0, 8, 0};
  sh[3] = {13, SHT_SYMTAB, 0, 0, symtab_off, symtab.size() * sizeof(Elf64_Sym), 4, 1, 8, sizeof(Elf64_Sym)};
  sh[4] = {21, SHT_STRTAB, 0, 0, strtab_off, strtab.size(), 0, 0, 1, 0};
  sh[5] = {29, SHT_STRTAB, 0, 0, shstr_off, shstrtab.size(), 0, 0, 1, 0};
  std::memcpy(out.data() + sh_off, sh, sizeof sh);
  return out;
}

}  // namespace corokit::bench
