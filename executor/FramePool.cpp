#include "executor/FramePool.h"

#include "executor/Panic.h"

namespace corokit::exec {

FramePool* FramePool::installed_ = nullptr;
FramePool* FramePool::live_[kMaxPools] = {};

namespace {
unsigned char* align_up(unsigned char* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  const auto aligned = (address + FramePool::kAlignment - 1) & ~(FramePool::kAlignment - 1);
  return p + (aligned - address);
}
}  // namespace

FramePool::FramePool(void* arena, std::size_t bytes) noexcept : FramePool(arena, bytes, ChunkSource{}) {}

FramePool::FramePool(void* arena, std::size_t bytes, ChunkSource source) noexcept : source_(source) {
  unsigned slot = 0;
  while (slot < kMaxPools && live_[slot] != nullptr) ++slot;
  if (slot == kMaxPools) panic("corokit executor: too many frame pools alive at once (the limit is 64)");
  live_[slot] = this;
  number_ = static_cast<std::uint8_t>(slot);
  if (arena != nullptr && bytes > 0) {
    auto* begin = static_cast<unsigned char*>(arena);
    bump_end_ = begin + bytes;
    bump_ = align_up(begin);
    if (bump_ > bump_end_) bump_ = bump_end_;
  }
}

FramePool::~FramePool() {
  if (installed_ == this) installed_ = nullptr;
  live_[number_] = nullptr;
  while (chunks_ != nullptr) {
    Chunk* chunk = chunks_;
    chunks_ = chunk->next;
    source_.release(source_.context, chunk, chunk->bytes);
  }
}

void* FramePool::allocate_fresh(unsigned size_class) noexcept {
  if (size_class >= kClasses) panic("corokit executor: coroutine frame larger than the frame pool's 1 MiB limit");
  const std::size_t bytes = class_bytes(size_class);
  if (static_cast<std::size_t>(bump_end_ - bump_) < bytes && !grow(bytes)) {
    panic("corokit executor: frame pool exhausted (raise the PD's frame arena or give the pool a chunk source)");
  }
  void* block = bump_;
  bump_ += bytes;
  reserved_bytes_ += bytes;
  ++carved_blocks_;
  return block;
}

FramePool::Stats FramePool::stats() const noexcept {
  Stats stats;
  stats.live_blocks = carved_blocks_;
  for (FreeBlock* list : free_) {
    for (FreeBlock* block = list; block != nullptr; block = block->next) --stats.live_blocks;
  }
  stats.reserved_bytes = reserved_bytes_;
  stats.chunks = chunks_taken_;
  return stats;
}

bool FramePool::grow(std::size_t at_least) noexcept {
  if (source_.acquire == nullptr) return false;
  std::size_t bytes = source_.chunk_bytes;
  const std::size_t needed = at_least + sizeof(Chunk) + kAlignment;
  if (bytes < needed) bytes = needed;
  void* memory = source_.acquire(source_.context, bytes);
  if (memory == nullptr) return false;
  auto* chunk = static_cast<Chunk*>(memory);
  chunk->next = chunks_;
  chunk->bytes = bytes;
  chunks_ = chunk;
  ++chunks_taken_;
  // The tail of the previous chunk is abandoned: at most one block's worth per chunk.
  bump_ = align_up(static_cast<unsigned char*>(memory) + sizeof(Chunk));
  bump_end_ = static_cast<unsigned char*>(memory) + bytes;
  return true;
}

}  // namespace corokit::exec
