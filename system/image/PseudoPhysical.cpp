#include "system/image/PseudoPhysical.h"

#include <algorithm>

#include "system/board/HostBoard.h"

namespace corokit::image {
namespace {

struct Range {
  uint64_t begin, end;  // [begin, end)
};

}  // namespace

std::vector<uint32_t> mrs_needing_paddr(const sdf::System& system) {
  std::vector<uint32_t> out;
  for (const sdf::ProtectionDomain& pd : system.pds) {
    for (const sdf::SetVar& sv : pd.setvars) {
      if (sv.mr_index < system.memory_regions.size() &&
          !system.memory_regions[sv.mr_index].phys_addr) {
        out.push_back(sv.mr_index);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

PaddrAssignment assign_pseudo_physical(sdf::System& system) {
  std::vector<Range> taken;
  for (const sdf::MemoryRegion& mr : system.memory_regions) {
    if (mr.phys_addr && mr.size <= UINT64_MAX - *mr.phys_addr) {
      taken.push_back({*mr.phys_addr, *mr.phys_addr + mr.size});
    }
  }

  PaddrAssignment result;
  for (uint32_t index : mrs_needing_paddr(system)) {
    sdf::MemoryRegion& mr = system.memory_regions[index];
    uint64_t align = mr.page_size ? mr.page_size : sdf::kPageSmall;
    uint64_t window = board::kRamEnd - board::kRamBase;
    bool placed = false;
    uint64_t at = board::kRamBase;
    while (mr.size <= window && at <= board::kRamEnd) {
      at = (at + align - 1) / align * align;
      if (at > board::kRamEnd || mr.size > board::kRamEnd - at) break;
      // First taken range that intersects [at, at + size); none means a fit.
      auto clash = std::find_if(taken.begin(), taken.end(), [&](const Range& r) {
        return r.begin < at + mr.size && at < r.end;
      });
      if (clash == taken.end()) {
        placed = true;
        break;
      }
      at = clash->end;
    }
    if (!placed) {
      result.no_room.push_back(index);
      continue;
    }
    mr.phys_addr = at;
    taken.push_back({at, at + mr.size});
    result.assigned.push_back(index);
  }
  return result;
}

}  // namespace corokit::image
