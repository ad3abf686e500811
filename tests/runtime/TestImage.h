// Test-only: a SystemImage from an SDF file and the PD ELFs on the search paths, made in-process by
// the real packer (image::pack_sdf_file), so tests and benchmarks boot exactly what `corokit pack`
// would produce without writing an image file.
#pragma once

#include <string>
#include <vector>

#include "system/image/SystemImage.h"
#include "system/support/Result.h"

namespace corokit::testing {

Result<image::SystemImage> make_test_image(const std::string& sdf_path, const std::vector<std::string>& search_paths);

}  // namespace corokit::testing
