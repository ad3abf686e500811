#include "system/image/PatchedElf.h"

#include "system/elf/ElfPatcher.h"

namespace corokit::image {

Result<std::vector<uint8_t>> patched_elf(const SystemImage& image, uint32_t pd) {
  std::vector<elf::ElfWrite> writes;
  writes.reserve(image.pds[pd].patches.size());
  for (const Patch& p : image.pds[pd].patches) writes.push_back({p.vaddr, p.bytes});
  return elf::apply_patches(image.elf_of(pd), writes);
}

}  // namespace corokit::image
