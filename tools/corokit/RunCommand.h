// Booting a packed image from memory: `corokit run` and executables that carry their image.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "system/runtime/RunOptions.h"

namespace corokit::tool {

// Decodes `bytes` (named `name` in errors) and runs the system; returns the exit status.
int run_image_bytes(std::span<const uint8_t> bytes, const std::string& name, const runtime::RunOptions& options);

}  // namespace corokit::tool
