// Access to the PD ELF fixtures built by tests/elf/CMakeLists.txt, and byte-level ELF edits for
// the malformed cases no compiler produces.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace corokit::test {

inline std::string fixture_path(const std::string& name) {
  return std::string(COROKIT_ELF_FIXTURES) + "/" + name + ".elf";
}

inline std::vector<uint8_t> fixture_bytes(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline Elf64_Ehdr header_of(const std::vector<uint8_t>& elf) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  return eh;
}

inline void set_header(std::vector<uint8_t>& elf, const Elf64_Ehdr& eh) { std::memcpy(elf.data(), &eh, sizeof eh); }

inline Elf64_Phdr phdr_of(const std::vector<uint8_t>& elf, size_t i) {
  Elf64_Phdr ph;
  std::memcpy(&ph, elf.data() + header_of(elf).e_phoff + i * sizeof ph, sizeof ph);
  return ph;
}

inline void set_phdr(std::vector<uint8_t>& elf, size_t i, const Elf64_Phdr& ph) {
  std::memcpy(elf.data() + header_of(elf).e_phoff + i * sizeof ph, &ph, sizeof ph);
}

inline Elf64_Shdr shdr_of(const std::vector<uint8_t>& elf, size_t i) {
  Elf64_Shdr sh;
  std::memcpy(&sh, elf.data() + header_of(elf).e_shoff + i * sizeof sh, sizeof sh);
  return sh;
}

inline void set_shdr(std::vector<uint8_t>& elf, size_t i, const Elf64_Shdr& sh) {
  std::memcpy(elf.data() + header_of(elf).e_shoff + i * sizeof sh, &sh, sizeof sh);
}

// The memory image of [vaddr, vaddr + size) as the loader would build it from the program
// headers: file bytes, then zeros up to the memory size. Empty if not inside one PT_LOAD.
inline std::vector<uint8_t> memory_at(const std::vector<uint8_t>& elf, uint64_t vaddr, uint64_t size) {
  Elf64_Ehdr eh = header_of(elf);
  for (size_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph = phdr_of(elf, i);
    if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr || vaddr + size > ph.p_vaddr + ph.p_memsz) continue;
    std::vector<uint8_t> out(size, 0);
    for (uint64_t k = 0; k < size; ++k) {
      uint64_t rel = vaddr - ph.p_vaddr + k;
      if (rel < ph.p_filesz) out[k] = elf[ph.p_offset + rel];
    }
    return out;
  }
  return {};
}

}  // namespace corokit::test
