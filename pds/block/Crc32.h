// CRC-32 as GPT and zlib define it (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and
// final xor 0xFFFFFFFF): crc32(0, data, size) equals zlib's crc32(0, data, size), and a CRC can be
// continued across chunks by passing the previous result. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::block {

uint32_t crc32(uint32_t crc, const void* data, std::size_t size) noexcept;

}  // namespace corokit::block
