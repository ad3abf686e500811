#pragma once

#include <cstddef>
#include <cstdlib>

#include "executor/FramePool.h"

// Host-only: a FramePool that grows in chunks from the C heap, for host PDs, tests and benchmarks.
// Chunks are allocated only while the pool grows; recycled frames never touch the heap.

namespace corokit::exec {

class HeapFramePool : public FramePool {
 public:
  explicit HeapFramePool(std::size_t chunk_bytes = 256 * 1024) noexcept
      : FramePool(nullptr, 0, ChunkSource{&acquire, &release, nullptr, chunk_bytes}) {}

 private:
  static void* acquire(void*, std::size_t bytes) noexcept { return std::aligned_alloc(kAlignment, round(bytes)); }
  static void release(void*, void* chunk, std::size_t) noexcept { std::free(chunk); }
  static std::size_t round(std::size_t bytes) noexcept { return (bytes + kAlignment - 1) & ~(kAlignment - 1); }
};

}  // namespace corokit::exec
