#include "pds/block/Crc32.h"

namespace corokit::block {
namespace {

struct Table {
  uint32_t entry[256];
  constexpr Table() : entry{} {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      entry[i] = c;
    }
  }
};
constexpr Table kTable;

}  // namespace

uint32_t crc32(uint32_t crc, const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = kTable.entry[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace corokit::block
