#include "system/image/PatchedElf.h"

#include "system/elf/ElfPatcher.h"

namespace corokit::image {

Result<std::vector<uint8_t>> patched_elf(const PdImage& pd) {
  std::vector<elf::ElfWrite> writes;
  writes.reserve(pd.patches.size());
  for (const Patch& p : pd.patches) writes.push_back({p.vaddr, p.bytes});
  return elf::apply_patches(pd.elf, writes);
}

}  // namespace corokit::image
