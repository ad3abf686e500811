// Test-only: a SystemImage from an SDF file and the PD ELFs next to it, without `corokit pack`.
// Computes just the patch table the runtime needs (SDF.md §8) with libelf; the real packer lives
// in system/image.
#pragma once

#include <string>
#include <vector>

#include "system/image/SystemImage.h"
#include "system/support/Result.h"

namespace corokit::testing {

Result<image::SystemImage> make_test_image(const std::string& sdf_path, const std::vector<std::string>& search_paths);

}  // namespace corokit::testing
