// Whole-file reads and atomic whole-file writes, with errors that name the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "system/support/Result.h"

namespace corokit::image {

Result<std::vector<uint8_t>> read_file_bytes(const std::string& path);

// Writes the pieces, in order, to a temporary file next to `path`, then renames it over `path`, so
// a failed write never leaves a half-written image behind. `mode` is the new file's permissions.
Status write_file_atomically(const std::string& path, std::span<const std::span<const uint8_t>> pieces,
                             unsigned mode = 0644);

}  // namespace corokit::image
