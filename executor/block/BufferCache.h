#pragma once

#include <cstdint>

#include "executor/Task.h"
#include "executor/WaitQueue.h"
#include "executor/block/BlockClient.h"

// A buffer cache over a BlockClient (PEERS.md §1.5): a fixed number of 4096-byte buffers inside the
// client's data region, so device transfers go straight into them.
//
//   StaticBufferCache<256> cache(blk, blk.data());     // 256 buffers = 1 MiB of the data region
//   BlockResult r = co_await cache.read(block, count, out);
//   r = co_await cache.write(block, count, in);         // write-back: only the cache is updated
//   r = co_await cache.flush();                         // dirty blocks written, then a device FLUSH
//
// * In-flight de-duplication: a block being loaded is loaded once; other readers wait for it.
// * Multi-block requests: consecutive missing blocks are loaded into consecutive buffers with one
//   request; dirty runs (consecutive blocks in consecutive buffers) are written with one request.
// * Read-ahead: after two sequential reads, the next `readahead` blocks are loaded in the
//   background, one window ahead of the reader.
// * Write-back: writes stay in the cache until flush() or until their buffers are needed. flush()
//   is the durability point: when it returns OK, every write() that returned before it was called
//   is on stable storage. A failed write-back leaves the block dirty and fails the flush.
// * Bounded memory: the buffers and the metadata are fixed at construction. Clean buffers are
//   evicted least recently used first; when every buffer is dirty, writes wait for a write-back.
// Errors (status and success count) always reach the caller.
//
// Freestanding, no heap (apart from the coroutine frames of the calls, from the PD's frame pool).

namespace corokit::exec {

class BufferCache {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  enum class State : uint8_t { Free, Loading, Clean, Dirty, Writing, Failed };

  struct Entry {
    uint64_t block = 0;
    uint32_t hash_next = kNone;
    uint32_t lru_prev = kNone;  // clean entries, least recently used at the head
    uint32_t lru_next = kNone;
    uint16_t pins = 0;          // tasks that will still use the buffer
    State state = State::Free;
    bool in_lru = false;
    uint32_t error = BLK_RESP_OK;  // why the last load or write-back failed
    WaitQueue waiters;             // tasks waiting for Loading or Writing to end
  };

  struct Stats {
    uint64_t hits = 0;           // blocks found in the cache
    uint64_t misses = 0;         // blocks loaded for a reader
    uint64_t shared_loads = 0;   // blocks a reader waited for while another task loaded them
    uint64_t device_reads = 0;   // read requests
    uint64_t readahead_blocks = 0;
    uint64_t device_writes = 0;  // write-back requests
    uint64_t written_blocks = 0;
    uint64_t evictions = 0;
  };

  // The metadata for `count` buffers: `count` entries, requests and request indices, and
  // `bucket_count` (a power of two) hash buckets.
  struct Memory {
    Entry* entries;
    BlockRequest* requests;
    uint32_t* request_free;
    uint32_t* buckets;
    uint32_t bucket_count;
  };

  // `buffers`: `count` × 4096 bytes inside the client's data region, 4096-aligned.
  BufferCache(BlockClient& client, uint8_t* buffers, uint32_t count, const Memory& memory) noexcept;
  ~BufferCache();
  BufferCache(const BufferCache&) = delete;
  BufferCache& operator=(const BufferCache&) = delete;

  // The buffers are usable (inside the data region).
  bool valid() const noexcept { return valid_; }

  Task<BlockResult> read(uint64_t block, uint32_t count, void* out) noexcept;
  Task<BlockResult> write(uint64_t block, uint32_t count, const void* in) noexcept;
  Task<BlockResult> flush() noexcept;

  void set_readahead(uint32_t blocks) noexcept { readahead_ = blocks; }
  const Stats& stats() const noexcept { return stats_; }
  uint32_t dirty_count() const noexcept;
  uint32_t buffer_count() const noexcept { return count_; }

 private:
  class EntryAwaiter;
  class SpaceAwaiter;

  uint32_t lookup(uint64_t block) const noexcept;
  void hash_insert(uint32_t e) noexcept;
  void hash_remove(uint32_t e) noexcept;
  void lru_push(uint32_t e) noexcept;
  void lru_remove(uint32_t e) noexcept;
  void release(uint32_t e) noexcept;  // unpin; frees a Failed entry with no pins
  void make_clean(uint32_t e) noexcept;
  void make_free(uint32_t e) noexcept;
  uint8_t* buffer(uint32_t e) const noexcept { return buffers_ + static_cast<uint64_t>(e) * BLK_TRANSFER_SIZE; }

  // Up to `want` consecutive free buffers (evicting clean ones), at least one; kNone if none now.
  uint32_t allocate(uint32_t want, uint32_t& got) noexcept;
  // Waits until allocate() can succeed, writing dirty buffers back if they fill the cache.
  Task<uint32_t> allocate_waiting(uint32_t want, uint32_t& got) noexcept;
  // Loads blocks [block, block + want) that are not cached, as far as consecutive buffers allow;
  // the loaded entries stay pinned for the caller. `loaded` is how many blocks were put in.
  Task<BlockResult> load(uint64_t block, uint32_t want, uint32_t& first, uint32_t& loaded) noexcept;
  Task<void> prefetch(uint64_t block, uint32_t count) noexcept;
  void maybe_readahead(uint64_t block, uint32_t count) noexcept;
  // Starts writing back every dirty buffer not already being written.
  void start_writeback() noexcept;
  static void writeback_done(BlockRequest& request, void* self) noexcept;
  void wake_space() noexcept;

  BlockClient& client_;
  uint8_t* buffers_;
  uint32_t count_;
  Entry* entries_;
  BlockRequest* requests_;   // one per write-back run in flight
  uint32_t* request_free_;   // indices of free requests_
  uint32_t* buckets_;
  uint32_t bucket_mask_;
  uint64_t buffers_offset_ = 0;  // of buffers_ in the data region
  bool valid_ = false;
  uint32_t lru_head_ = kNone;
  uint32_t lru_tail_ = kNone;
  uint32_t free_requests_ = 0;   // request_free_[0 .. free_requests_) are free
  WaitQueue space_waiters_;
  uint32_t readahead_ = 32;
  uint64_t seq_next_ = ~uint64_t{0};
  uint32_t seq_runs_ = 0;
  uint64_t ra_next_ = 0;
  Stats stats_;
};

namespace detail {
template <uint32_t Buffers>
struct BufferCacheMemory {
  static constexpr uint32_t kBuckets = [] {
    uint32_t n = 1;
    while (n < 2 * Buffers) n <<= 1;
    return n;
  }();
  BufferCache::Entry entries[Buffers];
  BlockRequest requests[Buffers];
  uint32_t request_free[Buffers];
  uint32_t buckets[kBuckets];
};
}  // namespace detail

// A BufferCache with its metadata inside (constructed before the cache, as a base).
template <uint32_t Buffers>
class StaticBufferCache : private detail::BufferCacheMemory<Buffers>, public BufferCache {
  using Memory_ = detail::BufferCacheMemory<Buffers>;

 public:
  StaticBufferCache(BlockClient& client, uint8_t* buffers) noexcept
      : BufferCache(client, buffers, Buffers,
                    Memory{Memory_::entries, Memory_::requests, Memory_::request_free, Memory_::buckets, Memory_::kBuckets}) {}
};

}  // namespace corokit::exec
