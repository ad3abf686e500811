// The pack report (SDF.md §10): what Microkit's report says that means something on the host —
// per PD its scheduling, image, address-space layout, channels, IRQs and patched symbols; per MR
// its size, page size, physical address, prefill and users; the devices in use. `corokit pack
// --report` and `corokit inspect` print the same text from the same SystemImage.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "system/board/HostBoard.h"
#include "system/image/SystemImage.h"

namespace corokit::image {

// `image` is a checked image (the packer's, or decode_image's).
std::string report_text(const SystemImage& image, uint64_t user_top = board::kUserTop);
nlohmann::json report_json(const SystemImage& image, uint64_t user_top = board::kUserTop);

}  // namespace corokit::image
