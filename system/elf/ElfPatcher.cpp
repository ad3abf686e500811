#include "system/elf/ElfPatcher.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "system/elf/ElfFile.h"

namespace corokit::elf {
namespace {

constexpr uint64_t kPage = 0x1000;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<std::vector<uint8_t>> apply_patches(std::span<const uint8_t> elf, std::span<const ElfWrite> writes) {
  ElfParseResult parsed = parse_elf(elf, {.require_symbols = false, .read_symbols = false});
  if (!parsed.ok()) return Error{"cannot patch ELF: " + parsed.error.message};
  std::vector<Segment> segments = parsed.file->segments;

  // Which segment each write goes to, and how much of each segment must be file-backed.
  std::vector<size_t> target(writes.size());
  std::vector<uint64_t> file_needed(segments.size());
  for (size_t w = 0; w < writes.size(); ++w) {
    const ElfWrite& write = writes[w];
    auto it = std::find_if(segments.begin(), segments.end(), [&](const Segment& s) {
      return s.contains(write.vaddr, write.bytes.size());
    });
    if (it == segments.end()) {
      return Error{"cannot patch ELF: " + std::to_string(write.bytes.size()) + " bytes at " +
                   hex(write.vaddr) + " are not inside a loadable segment"};
    }
    size_t s = static_cast<size_t>(it - segments.begin());
    target[w] = s;
    file_needed[s] = std::max(file_needed[s], write.vaddr - it->vaddr + write.bytes.size());
  }

  std::vector<uint8_t> out(elf.begin(), elf.end());
  Elf64_Ehdr eh;
  std::memcpy(&eh, out.data(), sizeof eh);

  for (size_t s = 0; s < segments.size(); ++s) {
    Segment& seg = segments[s];
    if (file_needed[s] <= seg.file_size) continue;
    // Move the segment's file image to the end of the file, keeping its offset within the page
    // and the page prefix the loader maps in front of it.
    uint64_t lead = seg.offset % kPage;
    uint64_t page_start = (out.size() + kPage - 1) / kPage * kPage;
    uint64_t new_offset = page_start + lead;
    out.resize(new_offset + file_needed[s], 0);
    std::memcpy(out.data() + page_start, elf.data() + (seg.offset - lead), lead);
    std::memcpy(out.data() + new_offset, elf.data() + seg.offset, seg.file_size);

    Elf64_Phdr ph;
    uint64_t ph_at = eh.e_phoff + uint64_t{seg.index} * sizeof(Elf64_Phdr);
    std::memcpy(&ph, out.data() + ph_at, sizeof ph);
    ph.p_offset = new_offset;
    ph.p_filesz = file_needed[s];
    // Only page congruence is kept; a larger alignment claim would no longer hold.
    if (ph.p_align > kPage) ph.p_align = kPage;
    std::memcpy(out.data() + ph_at, &ph, sizeof ph);
    seg.offset = new_offset;
    seg.file_size = file_needed[s];
  }

  for (size_t w = 0; w < writes.size(); ++w) {
    const Segment& seg = segments[target[w]];
    if (writes[w].bytes.empty()) continue;
    std::memcpy(out.data() + seg.offset + (writes[w].vaddr - seg.vaddr), writes[w].bytes.data(),
                writes[w].bytes.size());
  }
  return out;
}

}  // namespace corokit::elf
