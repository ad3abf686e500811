// A set of buffer indices (a bitmap) for the ownership tracking of PROTOCOLS.md §1.5.5: which
// buffers a component (or a peer) holds, so duplicates, forged offsets and double returns are
// detected. Freestanding, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::net {

inline constexpr std::uint32_t kMaxBuffers = 8192;  // 16 MiB of 2 KiB buffers per region

class BufferSet {
 public:
  bool contains(std::uint32_t i) const noexcept { return i < kMaxBuffers && (bits_[i / 64] >> (i % 64) & 1) != 0; }
  // False when already present (or out of range).
  bool insert(std::uint32_t i) noexcept {
    if (i >= kMaxBuffers || contains(i)) return false;
    bits_[i / 64] |= std::uint64_t{1} << (i % 64);
    ++count_;
    return true;
  }
  // False when absent.
  bool erase(std::uint32_t i) noexcept {
    if (!contains(i)) return false;
    bits_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    --count_;
    return true;
  }
  std::uint32_t size() const noexcept { return count_; }
  void clear() noexcept {
    for (std::uint64_t& word : bits_) word = 0;
    count_ = 0;
  }

 private:
  std::uint64_t bits_[kMaxBuffers / 64] = {};
  std::uint32_t count_ = 0;
};

// Where 2 KiB buffers live: a base (an offset of 0 or an I/O address) and a count. Converts a
// descriptor's address into a buffer index after checking alignment and range (overflow-safe).
struct BufferRange {
  std::uint64_t base = 0;
  std::uint32_t count = 0;

  static constexpr std::uint64_t kBufferSize = 2048;

  // The index of the buffer starting at `address`, or -1.
  std::int64_t index_of(std::uint64_t address) const noexcept {
    if (address < base) return -1;
    const std::uint64_t delta = address - base;
    if (delta % kBufferSize != 0) return -1;
    const std::uint64_t i = delta / kBufferSize;
    return i < count ? static_cast<std::int64_t>(i) : -1;
  }
  std::uint64_t address_of(std::uint32_t i) const noexcept { return base + std::uint64_t{i} * kBufferSize; }
};

}  // namespace corokit::net
