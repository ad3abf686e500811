// Fuzzes the ELF reader and the patcher: any bytes give a result or an error, never a crash; and
// patching a valid ELF (including its .bss tails) always yields a valid ELF with the same segments.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "system/elf/ElfFile.h"
#include "system/elf/ElfPatcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  corokit::elf::ElfParseResult with_symbols = corokit::elf::parse_elf(bytes);
  corokit::elf::ElfParseResult r = corokit::elf::parse_elf(bytes, {.require_symbols = false, .read_symbols = false});
  if (with_symbols.ok() && !r.ok()) __builtin_trap();
  if (!r.ok()) return 0;
  if (with_symbols.ok()) {
    (void)with_symbols.file->find("microkit_name");
    (void)with_symbols.file->find("_start");
  }

  // One word at the end of every segment big enough: in .bss tails this moves the segment.
  static const uint8_t word[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<corokit::elf::ElfWrite> writes;
  for (const corokit::elf::Segment& s : r.file->segments) {
    if (s.mem_size >= 8 && s.mem_size - s.file_size < (uint64_t{1} << 24)) writes.push_back({s.end() - 8, word});
  }
  corokit::Result<std::vector<uint8_t>> patched = corokit::elf::apply_patches(bytes, writes);
  // Writes are inside segments by construction; only landing on the headers or deep in a huge
  // .bss may be refused.
  if (!patched.ok()) {
    if (patched.error().find("ELF headers") == std::string::npos &&
        patched.error().find("zero-filled tail") == std::string::npos) {
      __builtin_trap();
    }
    return 0;
  }
  // Patching appends and rewrites program headers only; the loadable view must survive intact.
  corokit::elf::ElfParseResult again =
      corokit::elf::parse_elf(*patched, {.require_symbols = false, .read_symbols = false});
  if (!again.ok() || again.file->segments.size() != r.file->segments.size()) __builtin_trap();
  for (size_t i = 0; i < r.file->segments.size(); ++i) {
    if (again.file->segments[i].vaddr != r.file->segments[i].vaddr ||
        again.file->segments[i].mem_size != r.file->segments[i].mem_size) {
      __builtin_trap();
    }
  }
  return 0;
}
