// Self-contained systems: the corokit executable with an image appended and a trailer at the very
// end (docs/image-format.md). The kernel's ELF loader ignores bytes after the last segment, so the
// result runs as corokit; on start corokit looks for the trailer and boots the embedded image.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "system/support/Result.h"

namespace corokit::image {

inline constexpr char kTrailerMagic[8] = {'C', 'O', 'R', 'O', 'S', 'E', 'L', 'F'};
inline constexpr uint64_t kTrailerSize = 32;

// The trailer for an image of `image_size` bytes with CRC32 `image_crc`, placed at `image_offset`.
std::vector<uint8_t> make_trailer(uint64_t image_offset, uint64_t image_size, uint32_t image_crc);

struct EmbeddedImage {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t crc = 0;
};

// Where the image sits in a file of `file_size` bytes whose last kTrailerSize bytes are `tail`.
// Nothing when there is no trailer; an error when the trailer is there but inconsistent.
Result<std::optional<EmbeddedImage>> parse_trailer(std::span<const uint8_t> tail, uint64_t file_size);

// The embedded image of the file at `path` (e.g. /proc/self/exe), CRC-checked; nothing when the
// file carries no trailer.
Result<std::optional<std::vector<uint8_t>>> read_embedded_image(const std::string& path);

// Writes `executable` + padding + `image` + trailer to `out` (mode 0755).
Status write_self_contained(const std::string& out, std::span<const uint8_t> executable,
                            std::span<const std::span<const uint8_t>> image_pieces);

}  // namespace corokit::image
