#include "system/elf/ElfPatcher.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "system/elf/ElfFile.h"

namespace corokit::elf {
namespace {

constexpr uint64_t kPage = 0x1000;
// A patched variable deep inside a huge .bss turns all of it into file bytes; refuse beyond this
// many bytes for the whole ELF.
constexpr uint64_t kMaxMaterialised = 256ull << 20;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Where each write goes and how much of each segment must become file-backed.
struct PatchPlan {
  std::vector<Segment> segments;
  std::vector<size_t> target;          // per write: index into segments
  std::vector<uint64_t> file_needed;   // per segment
};

Result<PatchPlan> plan_patches(std::span<const uint8_t> elf, std::span<const ElfWrite> writes) {
  ElfParseResult parsed = parse_elf(elf, {.require_symbols = false, .read_symbols = false});
  if (!parsed.ok()) return Error{"cannot patch ELF: " + parsed.error.message};
  PatchPlan plan;
  plan.segments = parsed.file->segments;
  plan.target.resize(writes.size());
  plan.file_needed.resize(plan.segments.size());
  for (size_t w = 0; w < writes.size(); ++w) {
    const ElfWrite& write = writes[w];
    auto it = std::find_if(plan.segments.begin(), plan.segments.end(), [&](const Segment& s) {
      return s.contains(write.vaddr, write.bytes.size());
    });
    if (it == plan.segments.end()) {
      return Error{"cannot patch ELF: " + std::to_string(write.bytes.size()) + " bytes at " +
                   hex(write.vaddr) + " are not inside a loadable segment"};
    }
    size_t s = static_cast<size_t>(it - plan.segments.begin());
    plan.target[w] = s;
    plan.file_needed[s] = std::max(plan.file_needed[s], write.vaddr - it->vaddr + write.bytes.size());
  }

  uint64_t materialised = 0;
  for (size_t s = 0; s < plan.segments.size(); ++s) {
    if (plan.file_needed[s] <= plan.segments[s].file_size) continue;
    uint64_t tail = plan.file_needed[s] - plan.segments[s].file_size;
    materialised += std::min(tail, kMaxMaterialised + 1);
    if (materialised > kMaxMaterialised) {
      return Error{"cannot patch ELF: a value lies " + hex(tail) + " bytes into the zero-filled tail of the segment at " +
                   hex(plan.segments[s].vaddr) + " (at most " + hex(kMaxMaterialised) +
                   " bytes of .bss are materialised in all)"};
    }
  }

  // Writes into segments that stay in place must not touch the headers a segment may map.
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  uint64_t ph_end = eh.e_phoff + uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
  for (size_t w = 0; w < writes.size(); ++w) {
    const Segment& seg = plan.segments[plan.target[w]];
    if (writes[w].bytes.empty() || plan.file_needed[plan.target[w]] > seg.file_size) continue;
    uint64_t at = seg.offset + (writes[w].vaddr - seg.vaddr);
    uint64_t end = at + writes[w].bytes.size();
    if (at < sizeof(Elf64_Ehdr) || (at < ph_end && eh.e_phoff < end)) {
      return Error{"cannot patch ELF: the value at " + hex(writes[w].vaddr) + " would overwrite the ELF headers"};
    }
  }
  return plan;
}

}  // namespace

Status check_patches(std::span<const uint8_t> elf, std::span<const ElfWrite> writes) {
  Result<PatchPlan> plan = plan_patches(elf, writes);
  if (!plan) return Error{plan.error()};
  return Ok{};
}

Result<std::vector<uint8_t>> apply_patches(std::span<const uint8_t> elf, std::span<const ElfWrite> writes) {
  Result<PatchPlan> plan = plan_patches(elf, writes);
  if (!plan) return Error{plan.error()};
  std::vector<Segment>& segments = plan->segments;
  const std::vector<size_t>& target = plan->target;
  const std::vector<uint64_t>& file_needed = plan->file_needed;

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
