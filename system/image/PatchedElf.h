// The ELF the runtime starts for a PD: the packed ELF with the PD's patch table applied
// (SDF.md §8). Each call returns an independent copy.
#pragma once

#include <cstdint>
#include <vector>

#include "system/image/SystemImage.h"
#include "system/support/Result.h"

namespace corokit::image {

Result<std::vector<uint8_t>> patched_elf(const PdImage& pd);

}  // namespace corokit::image
