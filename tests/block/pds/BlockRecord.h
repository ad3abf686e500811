// The on-disk records the block test clients write, and the test checks on the image afterwards: a
// 4096-byte block that says who wrote it, where, which version, and a checksum over all of it.
#pragma once

#include <cstdint>
#include <cstring>

namespace corokit::testing {

inline constexpr uint32_t kRecordMagic = 0x54534b43;  // "CKST"

struct RecordHeader {
  uint32_t magic;
  uint32_t tag;      // the writer (its partition)
  uint64_t block;    // block number within the writer's partition
  uint64_t version;  // stress: per-block version; crash: the write's sequence number
  uint32_t checksum; // FNV-1a over the block with this field zero
  uint32_t reserved;
};
static_assert(sizeof(RecordHeader) == 32);

inline uint32_t fnv1a(const uint8_t* p, uint64_t n, uint32_t h = 2166136261u) {
  for (uint64_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

inline uint32_t record_checksum(const uint8_t* block) {
  uint32_t h = fnv1a(block, 24);
  const uint8_t zero[4] = {0, 0, 0, 0};
  h = fnv1a(zero, 4, h);
  return fnv1a(block + 28, 4096 - 28, h);
}

inline void make_record(uint8_t* block, uint32_t tag, uint64_t number, uint64_t version) {
  RecordHeader h{kRecordMagic, tag, number, version, 0, 0};
  std::memcpy(block, &h, sizeof h);
  uint64_t x = (static_cast<uint64_t>(tag) << 32) ^ (number * 0x9E3779B97F4A7C15ull) ^ version;
  for (uint64_t i = sizeof h; i < 4096; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(block + i, &x, 8);
  }
  const uint32_t sum = record_checksum(block);
  std::memcpy(block + 24, &sum, 4);
}

// The header of a block that holds a valid record, or false.
inline bool read_record(const uint8_t* block, RecordHeader& out) {
  std::memcpy(&out, block, sizeof out);
  return out.magic == kRecordMagic && out.checksum == record_checksum(block);
}

}  // namespace corokit::testing
