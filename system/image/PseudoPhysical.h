// Pseudo-physical addresses for `<setvar region_paddr>` on MRs without `phys_addr` (SDF.md §6.6):
// first fit in the host board's RAM window, in MR declaration order, aligned to the MR's page
// size, never overlapping any declared range. Deterministic: the same system gives the same
// addresses on every run.
#pragma once

#include <cstdint>
#include <vector>

#include "system/sdf/Model.h"

namespace corokit::image {

struct PaddrAssignment {
  std::vector<uint32_t> assigned;  // MRs that received an address (written into phys_addr)
  std::vector<uint32_t> no_room;   // MRs that did not fit in the RAM window
};

// The MRs named by some <setvar region_paddr> that have no phys_addr, ascending.
std::vector<uint32_t> mrs_needing_paddr(const sdf::System& system);

PaddrAssignment assign_pseudo_physical(sdf::System& system);

}  // namespace corokit::image
