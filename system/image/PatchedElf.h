// The ELF the runtime starts for a PD: the packed ELF with the PD's patch table applied
// (SDF.md §8). Each call returns an independent copy.
#pragma once

#include <cstdint>
#include <vector>

#include "system/image/SystemImage.h"
#include "system/support/Result.h"

namespace corokit::image {

// `pd` is a PD index of `image`, whose ELF reference must be in range (a checked image's is).
Result<std::vector<uint8_t>> patched_elf(const SystemImage& image, uint32_t pd);

}  // namespace corokit::image
