#include "tests/runtime/TestImage.h"

#include "system/image/ImagePacker.h"
#include "system/sdf/Target.h"

namespace corokit::testing {

Result<image::SystemImage> make_test_image(const std::string& sdf_path, const std::vector<std::string>& search_paths) {
  sdf::CheckOptions options;
  Result<sdf::TargetProfile> target = sdf::builtin_profile("host");
  if (!target) return Error{target.error()};
  options.target = *target;
  options.search_paths = search_paths;
  image::PackOutcome out = image::pack_sdf_file(sdf_path, options);
  if (!out.image) {
    std::string all;
    for (const auto& d : out.loaded.diagnostics.all()) all += d.message + "\n";
    return Error{"cannot pack " + sdf_path + ":\n" + all};
  }
  return std::move(*out.image);
}

}  // namespace corokit::testing
