// Whole-system rules (SDF.md §6, §7.3–§7.5): names resolved across elements, uniqueness, the PPC
// priority rule, address-space overlaps, host-board checks; then the model is finalised
// (references resolved to indices, automatic 2 MiB pages chosen).
#pragma once

#include "system/sdf/Model.h"
#include "system/sdf/Reporter.h"

namespace corokit::sdf {

void validate_system(System& system, Reporter& reporter);

}  // namespace corokit::sdf
