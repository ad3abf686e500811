// The packer's ELF and symbol stage (SDF.md §8, §9): reads every PD's ELF, checks it against the
// system (L01–L11, W07), assigns pseudo-physical addresses, computes each PD's patch table, and
// assembles the SystemImage. Every PD's problems are reported in one run, located in the SDF.
#pragma once

#include <optional>

#include "system/image/SystemImage.h"
#include "system/sdf/Reporter.h"

namespace corokit::image {

// `system` must be a validated system (SystemLoader's `ok()`). Diagnostics go to `reporter`, whose
// options supply the search paths and the target. Returns the image when this stage found no error.
std::optional<SystemImage> pack_system(sdf::System system, sdf::Reporter& reporter);

// The ELF machine (e_machine) a PD must be built for on `arch`.
uint16_t expected_machine(sdf::Arch arch);

}  // namespace corokit::image
