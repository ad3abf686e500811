// The image file (docs/image-format.md): a header, a section table, and sections holding the
// system model, each PD's load information and patch table, each distinct ELF once (PDs refer to
// it by number), MR prefill data and the host-board devices. CRC32 (zlib) per section and over
// the whole file; deterministic.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "system/image/SystemImage.h"
#include "system/support/Result.h"

namespace corokit::image {

inline constexpr char kImageMagic[8] = {'C', 'O', 'R', 'O', 'I', 'M', 'G', '\n'};
inline constexpr uint32_t kImageVersion = 2;
inline constexpr uint64_t kHeaderSize = 64;
inline constexpr uint64_t kSectionEntrySize = 32;
inline constexpr uint64_t kSectionAlign = 16;

enum class SectionKind : uint32_t {
  System = 1,   // JSON: the validated model and the packer's address choices
  Devices = 2,  // JSON: host-board devices in use
  Pd = 3,       // JSON, one per PD (index = global PD index): its ELF's number, entry, segments, patch table
  Elf = 4,      // raw bytes, one per distinct ELF (index = ELF number): the ELF as read at pack time
  Prefill = 5,  // raw bytes, one per prefilled MR (index = MR index)
};
const char* to_string(SectionKind kind);

struct SectionEntry {
  SectionKind kind = SectionKind::System;
  uint32_t index = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t crc = 0;
};

struct ImageLayout {
  uint32_t version = 0;
  uint64_t file_size = 0;
  uint32_t file_crc = 0;
  std::vector<SectionEntry> sections;  // in table order
};

// An encoded image as pieces to be written in order: owned buffers (header, table, JSON, padding)
// interleaved with views of the SystemImage's ELF and prefill bytes, which must outlive it.
struct EncodedImage {
  std::vector<std::vector<uint8_t>> owned;
  std::vector<std::span<const uint8_t>> pieces;
  uint64_t size = 0;

  std::vector<uint8_t> bytes() const;  // the pieces concatenated
};

EncodedImage encode_image(const SystemImage& image);

// Header, section table and every CRC; no section is decoded.
Result<ImageLayout> verify_image(std::span<const uint8_t> bytes);

// verify_image, then every section decoded and the result sanity-checked (ImageChecks.h).
Result<SystemImage> decode_image(std::span<const uint8_t> bytes);

// Recomputes every CRC of an image whose header and table are structurally sound, in place. For
// tools that edit images on purpose (tests, the fuzzer reaching past the CRCs); false if the
// layout is unusable.
bool reseal_image(std::vector<uint8_t>& bytes);

}  // namespace corokit::image
