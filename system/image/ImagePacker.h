// The packer's ELF and symbol stage (SDF.md §8, §9): reads every PD's ELF, checks it against the
// system (L01–L11, W07), assigns pseudo-physical addresses, computes each PD's patch table, and
// assembles the SystemImage. Every PD's problems are reported in one run, located in the SDF.
#pragma once

#include <optional>

#include "system/image/SystemImage.h"
#include "system/sdf/Reporter.h"
#include "system/sdf/SystemLoader.h"

namespace corokit::image {

// `system` must be a validated system (SystemLoader's `ok()`). Diagnostics go to `reporter`, whose
// options supply the search paths and the target. Returns the image when this stage found no error.
std::optional<SystemImage> pack_system(sdf::System system, sdf::Reporter& reporter);

// The whole pipeline: load and validate the SDF with host-board problems as errors, then the ELF
// and symbol stage. `loaded.diagnostics` holds every stage's diagnostics, sorted; `image` is set
// only when there is no error. `loaded.io_error` is set when the SDF could not be read.
struct PackOutcome {
  sdf::LoadedSystem loaded;
  std::optional<SystemImage> image;
};
PackOutcome pack_sdf_file(const std::string& path, sdf::CheckOptions options);
PackOutcome pack_sdf_text(std::string text, const std::string& file, sdf::CheckOptions options);

// The ELF machine (e_machine) a PD must be built for on `arch`.
uint16_t expected_machine(sdf::Arch arch);

}  // namespace corokit::image
