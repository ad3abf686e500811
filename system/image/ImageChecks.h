// Sanity checks on a decoded image. The runtime trusts what it boots, so everything a damaged or
// hand-made image could get wrong is checked here: indices in range, sizes consistent, names
// usable, every PD ELF valid and agreeing with its recorded entry, segments and patches.
#pragma once

#include "system/image/SystemImage.h"
#include "system/support/Result.h"

namespace corokit::image {

Status check_image(const SystemImage& image);

}  // namespace corokit::image
