#pragma once

#include <cstddef>
#include <cstdint>

// The per-PD pool coroutine frames come from. Blocks are carved from a caller-supplied arena (and,
// optionally, from further chunks handed out by a ChunkSource) and recycled through per-size-class
// free lists, so a PD in steady state spawns and finishes tasks without touching any heap.
// Exhaustion of a fixed pool calls the panic hook with a clear message; it never corrupts memory.
//
// Size classes: multiples of 32 bytes up to 1 KiB, then powers of two up to 1 MiB. Memory is never
// returned to the arena or the source while the pool lives; it is reused within its class. The
// allocation paths keep no counters (stats() counts the free lists when asked). At most kMaxPools
// pools are alive at once: each has a number, so that a task record names its pool in one byte.
// Single-threaded, like everything in a PD.

namespace corokit::exec {

// Supplies extra chunks to a growing pool (host PDs, tests). `acquire` returns 16-byte aligned
// memory or nullptr; `release` gets back every chunk when the pool is destroyed.
struct ChunkSource {
  void* (*acquire)(void* context, std::size_t bytes) = nullptr;
  void (*release)(void* context, void* chunk, std::size_t bytes) = nullptr;
  void* context = nullptr;
  std::size_t chunk_bytes = 256 * 1024;
};

class FramePool {
 public:
  static constexpr std::size_t kAlignment = 16;
  static constexpr std::size_t kMaxBlock = std::size_t{1} << 20;

  struct Stats {
    std::size_t live_blocks = 0;     // handed out and not yet returned
    std::size_t reserved_bytes = 0;  // carved from the arena and chunks so far (the high-water mark)
    std::size_t chunks = 0;          // chunks taken from the source
  };

  // A fixed pool over `arena` (may be empty when a source is given). Panics when kMaxPools pools
  // are alive already.
  FramePool(void* arena, std::size_t bytes) noexcept;
  FramePool(void* arena, std::size_t bytes, ChunkSource source) noexcept;
  ~FramePool();

  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  // Never returns nullptr: panics when the pool is exhausted or `bytes` exceeds kMaxBlock.
  void* allocate(std::size_t bytes) noexcept { return allocate_in_class(class_of(bytes)); }
  void deallocate(void* block, std::size_t bytes) noexcept { push_free(class_of(bytes), block); }

  // The same by size class, for callers that keep where a block came from (task records do).
  static unsigned class_of(std::size_t bytes) noexcept {
    if (bytes <= 1024) return bytes == 0 ? 0 : static_cast<unsigned>((bytes - 1) >> 5);
    if (bytes > kMaxBlock) return kClasses;  // rejected in allocate_fresh
    return kFineClasses + static_cast<unsigned>(64 - __builtin_clzll(bytes - 1)) - 11;
  }
  void* allocate_in_class(unsigned size_class) noexcept {
    if (FreeBlock* block = free_[size_class]) {
      free_[size_class] = block->next;
      return block;
    }
    return allocate_fresh(size_class);
  }

  // Live pools are numbered (at most kMaxPools at a time), so that a block's owner fits in a byte:
  // with its size class it goes back to its free list without a pointer to keep (task records).
  static constexpr unsigned kMaxPools = 64;
  std::uint8_t number() const noexcept { return number_; }
  static FramePool& numbered(std::uint8_t number) noexcept { return *live_[number]; }
  static void recycle(std::uint8_t pool_number, unsigned size_class, void* block) noexcept {
    live_[pool_number]->push_free(size_class, block);
  }

  // Counts the free lists (the allocation paths keep no statistics): for tests and diagnostics.
  Stats stats() const noexcept;

  // The pool coroutine frames are allocated from (one per PD; set by the Executor).
  static FramePool* installed() noexcept { return installed_; }
  static FramePool* install(FramePool* pool) noexcept {
    FramePool* previous = installed_;
    installed_ = pool;
    return previous;
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  void push_free(unsigned size_class, void* block) noexcept {
    auto* node = static_cast<FreeBlock*>(block);
    node->next = free_[size_class];
    free_[size_class] = node;
  }
  struct Chunk {
    Chunk* next;
    std::size_t bytes;
  };

  static constexpr unsigned kFineClasses = 32;  // 32, 64, ..., 1024
  static constexpr unsigned kClasses = kFineClasses + 10;  // 2 KiB ... 1 MiB

  static std::size_t class_bytes(unsigned size_class) noexcept {
    return size_class < kFineClasses ? (size_class + 1) * std::size_t{32}
                                     : std::size_t{1} << (size_class - kFineClasses + 11);
  }

  void* allocate_fresh(unsigned size_class) noexcept;
  bool grow(std::size_t at_least) noexcept;

  FreeBlock* free_[kClasses + 1] = {};
  unsigned char* bump_ = nullptr;
  unsigned char* bump_end_ = nullptr;
  ChunkSource source_{};
  Chunk* chunks_ = nullptr;
  std::uint8_t number_ = 0;
  std::size_t carved_blocks_ = 0;
  std::size_t reserved_bytes_ = 0;
  std::size_t chunks_taken_ = 0;

  static FramePool* installed_;
  static FramePool* live_[kMaxPools];
};

}  // namespace corokit::exec
