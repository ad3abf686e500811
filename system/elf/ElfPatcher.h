// Writing patched values into a copy of a PD's ELF (SDF.md §8), for the runtime to start.
//
// A value may land in a segment's zero-filled tail (.bss): the segment's file image is then grown
// to cover it. Because the bytes after a segment in the file usually belong to something else,
// such a segment is moved to the end of the file (same offset within its page, so it still maps),
// its page prefix copied along, and its program header updated. The input is never modified.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "system/support/Result.h"

namespace corokit::elf {

struct ElfWrite {
  uint64_t vaddr = 0;
  std::span<const uint8_t> bytes;  // written little-endian as given
};

// The patched ELF. Fails when `elf` is not a valid PD ELF, a write is not entirely inside one
// loadable segment's memory image, a write would land on the ELF or program headers (which a
// segment may map), or the zero-filled (.bss) bytes to materialise exceed 256 MiB in all.
// Writes are applied in order (a later one wins on overlap).
Result<std::vector<uint8_t>> apply_patches(std::span<const uint8_t> elf, std::span<const ElfWrite> writes);

// Whether apply_patches would succeed, without building the copy.
Status check_patches(std::span<const uint8_t> elf, std::span<const ElfWrite> writes);

}  // namespace corokit::elf
