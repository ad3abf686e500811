#pragma once

#include <cstdint>
#include <span>

#include "executor/Task.h"
#include "executor/WaitQueue.h"
#include "executor/block/BlockClient.h"
#include "sdk/PdCounters.h"

// A buffer cache over a BlockClient (PEERS.md §1.5): a fixed number of 4096-byte buffers inside the
// client's data region, so device transfers go straight into them.
//
//   StaticBufferCache<256> cache(blk, blk.data());     // 256 buffers = 1 MiB of the data region
//   BlockResult r = co_await cache.read(block, count, out);
//   r = co_await cache.read_bytes(offset, out, length);  // any byte range
//   r = co_await cache.write(block, count, in);         // write-back: only the cache is updated
//   r = co_await cache.flush();                         // dirty blocks written, then a device FLUSH
//
// * In-flight de-duplication: a block being loaded is loaded once; other readers wait for it.
// * Multi-block requests: consecutive missing blocks are loaded into consecutive buffers with one
//   request; dirty runs (consecutive blocks in consecutive buffers) are written with one request.
// * Read-ahead: after two sequential reads (each starting inside or right after the one before),
//   the next `readahead` blocks are loaded in the background, half a window ahead of the reader.
// * Write-back: writes stay in the cache until flush() or until their buffers are needed. flush()
//   is the durability point: when it returns OK, every write() that returned before it was called
//   is on stable storage. A failed write-back leaves the block dirty and fails the flush.
// * Bounded memory: the buffers and the metadata are fixed at construction. Clean buffers are
//   evicted least recently used first; when every buffer is dirty, writes wait for a write-back.
// Errors (status and success count) always reach the caller.
//
// Freestanding, no heap (apart from the coroutine frames of the calls, from the PD's frame pool).

namespace corokit::exec {

class BufferCache;

// A cached block held in place (BufferCache::pin): its bytes stay valid and the buffer is not
// evicted until the pin is reset or destroyed. Lets a server send file data straight from the cache.
class BlockPin {
 public:
  BlockPin() noexcept = default;
  BlockPin(BlockPin&& other) noexcept : cache_(other.cache_), entry_(other.entry_), data_(other.data_) {
    other.cache_ = nullptr;
  }
  BlockPin& operator=(BlockPin&& other) noexcept;
  BlockPin(const BlockPin&) = delete;
  BlockPin& operator=(const BlockPin&) = delete;
  ~BlockPin() { reset(); }

  std::span<const uint8_t> bytes() const noexcept {
    return cache_ ? std::span<const uint8_t>(data_, BLK_TRANSFER_SIZE) : std::span<const uint8_t>();
  }
  inline void reset() noexcept;

 private:
  friend class BufferCache;
  BufferCache* cache_ = nullptr;
  uint32_t entry_ = 0;
  const uint8_t* data_ = nullptr;
};

class BufferCache {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;
  static constexpr uint32_t kMaxRun = 64;  // blocks per device request

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
  // Any byte range of the device (e.g. for a file system reader); success_count is in blocks.
  Task<BlockResult> read_bytes(uint64_t offset, void* out, uint64_t length) noexcept;
  Task<BlockResult> write(uint64_t block, uint32_t count, const void* in) noexcept;
  Task<BlockResult> flush() noexcept;
  // Loads `block` if needed and holds it in `out` (no copy); counts towards read-ahead as a read.
  Task<BlockResult> pin(uint64_t block, BlockPin& out) noexcept;

  void set_readahead(uint32_t blocks) noexcept { readahead_ = blocks; }
  const Stats& stats() const noexcept { return stats_; }
  uint32_t dirty_count() const noexcept;
  uint32_t buffer_count() const noexcept { return count_; }

 private:
  friend class BlockPin;
  class EntryAwaiter;
  class SpaceAwaiter;

  uint32_t lookup(uint64_t block) const noexcept;
  void hash_insert(uint32_t e) noexcept;
  void hash_remove(uint32_t e) noexcept;
  void lru_push(uint32_t e) noexcept;
  void lru_remove(uint32_t e) noexcept;
  void release(uint32_t e) noexcept;  // unpin; frees a Failed entry with no pins
  // A reader takes cached entry `e`: pinned, counted as a hit or as a share of the load in progress.
  // Once no load is in progress, settle_found gives the failed load's status (the pin dropped) or
  // OK (the entry becomes the most recently used). The wait in between is the caller's co_await.
  void pin_found(uint32_t e) noexcept;
  uint32_t settle_found(uint32_t e) noexcept;
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
  Task<BlockResult> read_span(uint64_t block, uint32_t count, uint32_t skip, uint64_t length, uint8_t* dst) noexcept;
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
  // Sequential read streams being followed for read-ahead.
  struct Stream {
    uint64_t last = 0;        // first block of its last read
    uint64_t next = 0;        // the block after its last read
    uint64_t ahead = 0;       // the block after what read-ahead has requested
    uint32_t runs = ~uint32_t{0};  // sequential reads seen; ~0: unused
    uint64_t used = 0;        // for replacement
  };
  static constexpr unsigned kStreams = 4;
  Stream streams_[kStreams];
  uint64_t stream_clock_ = 0;
  Stats stats_;
};

// The byte reader a file system reader takes (executor/fs/FatVolume.h: `Task<bool> read(offset,
// span)`), over a cache. `last()` keeps the status of the last failed read for diagnostics.
class BufferCacheReader {
 public:
  explicit BufferCacheReader(BufferCache& cache) noexcept : cache_(cache) {}
  Task<bool> read(uint64_t offset, std::span<uint8_t> out) noexcept;
  BlockResult last() const noexcept { return last_; }

 private:
  BufferCache& cache_;
  BlockResult last_;
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

// --- The coroutines --------------------------------------------------------------------------------
// Defined here rather than in BufferCache.cpp: a Task's promise layout depends on whether exceptions
// are enabled (executor/Task.h), so each PD instantiates them with its own compiler flags.

namespace corokit::exec {

namespace detail {
inline uint16_t saturate16(uint64_t v) { return v > 0xffff ? uint16_t{0xffff} : static_cast<uint16_t>(v); }
}  // namespace detail

// Waits until an entry is neither Loading nor Writing. The caller pins the entry first.
class BufferCache::EntryAwaiter : Waiter {
 public:
  explicit EntryAwaiter(Entry& entry) noexcept : entry_(entry) {}
  EntryAwaiter(const EntryAwaiter&) = delete;
  ~EntryAwaiter() { entry_.waiters.remove(*this); }
  bool await_ready() const noexcept { return entry_.state != State::Loading && entry_.state != State::Writing; }
  template <detail::TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task = &detail::suspend_point(awaiting);
    entry_.waiters.push_back(*this);
  }
  void await_resume() const noexcept {}

 private:
  Entry& entry_;
};

// Waits until a buffer may have become free or evictable.
class BufferCache::SpaceAwaiter : Waiter {
 public:
  explicit SpaceAwaiter(BufferCache& cache) noexcept : cache_(cache) {}
  SpaceAwaiter(const SpaceAwaiter&) = delete;
  ~SpaceAwaiter() { cache_.space_waiters_.remove(*this); }
  bool await_ready() const noexcept { return false; }
  template <detail::TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task = &detail::suspend_point(awaiting);
    cache_.space_waiters_.push_back(*this);
  }
  void await_resume() const noexcept {}

 private:
  BufferCache& cache_;
};


inline Task<uint32_t> BufferCache::allocate_waiting(uint32_t want, uint32_t& got) noexcept {
  for (;;) {
    const uint32_t first = allocate(want, got);
    if (first != kNone) co_return first;
    start_writeback();  // every buffer is dirty or in use: make clean ones
    co_await SpaceAwaiter(*this);
  }
}


inline Task<BlockResult> BufferCache::load(uint64_t block, uint32_t want, uint32_t& first, uint32_t& loaded) noexcept {
  loaded = 0;
  uint32_t got = 0;
  first = co_await allocate_waiting(want, got);
  // Others may have started loading some of these blocks while this waited: take the missing prefix.
  uint32_t k = 0;
  while (k < got && lookup(block + k) == kNone) ++k;
  if (k == 0) co_return BlockResult{};
  for (uint32_t j = 0; j < k; ++j) {
    Entry& entry = entries_[first + j];
    entry.block = block + j;
    entry.state = State::Loading;
    entry.pins = 1;
    entry.error = BLK_RESP_OK;
    hash_insert(first + j);
  }
  ++stats_.device_reads;
  const BlockResult r = co_await client_.read(block, static_cast<uint16_t>(k), buffer(first));
  const uint32_t good = r.ok() ? k : (r.success_count < k ? r.success_count : k);
  for (uint32_t j = 0; j < k; ++j) {
    const uint32_t e = first + j;
    Entry& entry = entries_[e];
    if (j < good) {
      make_clean(e);
    } else {
      hash_remove(e);
      entry.state = State::Failed;
      entry.error = r.status;
    }
    entry.waiters.wake_all();
  }
  for (uint32_t j = good; j < k; ++j) release(first + j);  // the caller keeps only the good ones
  loaded = good;
  co_return r.ok() ? BlockResult{} : BlockResult{r.status, detail::saturate16(good)};
}


inline BlockPin& BlockPin::operator=(BlockPin&& other) noexcept {
  if (this != &other) {
    reset();
    cache_ = other.cache_;
    entry_ = other.entry_;
    data_ = other.data_;
    other.cache_ = nullptr;
  }
  return *this;
}

inline void BlockPin::reset() noexcept {
  if (cache_ != nullptr) cache_->release(entry_);
  cache_ = nullptr;
}

inline Task<BlockResult> BufferCache::pin(uint64_t block, BlockPin& out) noexcept {
  out.reset();
  if (!valid_) co_return BlockResult{BLK_RESP_ERR_NO_DEVICE, 0};
  if (!client_.is_ready()) co_await client_.ready();
  if (!protocol::block_range_ok(block, 1, client_.capacity())) co_return BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
  uint32_t e = kNone;
  while (e == kNone) {
    const uint32_t found = lookup(block);
    if (found != kNone) {
      pin_found(found);
      while (entries_[found].state == State::Loading) co_await EntryAwaiter(entries_[found]);
      if (const uint32_t status = settle_found(found); status != BLK_RESP_OK) co_return BlockResult{status, 0};
      e = found;
      continue;
    }
    uint32_t first = kNone;
    uint32_t loaded = 0;
    const BlockResult r = co_await load(block, 1, first, loaded);
    if (loaded == 1) {
      ++stats_.misses;
      e = first;
    } else if (!r.ok()) {
      co_return r;
    }
    // Nothing loaded and no error: someone else started loading it meanwhile; share that load.
  }
  out.cache_ = this;
  out.entry_ = e;
  out.data_ = buffer(e);
  maybe_readahead(block, 1);
  co_return BlockResult{BLK_RESP_OK, 1};
}

inline Task<BlockResult> BufferCache::read(uint64_t block, uint32_t count, void* out) noexcept {
  if (count == 0) co_return BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
  co_return co_await read_span(block, count, 0, static_cast<uint64_t>(count) * BLK_TRANSFER_SIZE,
                               static_cast<uint8_t*>(out));
}

inline Task<BlockResult> BufferCache::read_bytes(uint64_t offset, void* out, uint64_t length) noexcept {
  if (length == 0) co_return BlockResult{};
  if (length > (uint64_t{1} << 40)) co_return BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
  const uint64_t first = offset / BLK_TRANSFER_SIZE;
  const uint32_t skip = static_cast<uint32_t>(offset % BLK_TRANSFER_SIZE);
  const uint64_t blocks = (skip + length + BLK_TRANSFER_SIZE - 1) / BLK_TRANSFER_SIZE;
  co_return co_await read_span(first, static_cast<uint32_t>(blocks), skip, length, static_cast<uint8_t*>(out));
}

// Blocks [block, block + count), of which `length` bytes from byte `skip` of the first go to `dst`.
inline Task<BlockResult> BufferCache::read_span(uint64_t block, uint32_t count, uint32_t skip, uint64_t length,
                                                uint8_t* dst) noexcept {
  if (!valid_) co_return BlockResult{BLK_RESP_ERR_NO_DEVICE, 0};
  if (!client_.is_ready()) co_await client_.ready();
  if (!protocol::block_range_ok(block, count, client_.capacity())) co_return BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
  // Copies the part of block `i` of the span that the caller asked for.
  uint64_t copied = 0;
  auto copy_out = [&](uint32_t i, uint32_t e) {
    const uint64_t from = i == 0 ? skip : 0;
    const uint64_t at = i == 0 ? 0 : static_cast<uint64_t>(i) * BLK_TRANSFER_SIZE - skip;
    const uint64_t n = length - at < BLK_TRANSFER_SIZE - from ? length - at : BLK_TRANSFER_SIZE - from;
    __builtin_memcpy(dst + at, buffer(e) + from, n);
    copied += n;
  };
  BlockResult result{BLK_RESP_OK, 0};
  uint32_t i = 0;
  while (i < count) {
    const uint64_t b = block + i;
    const uint32_t e = lookup(b);
    if (e != kNone) {
      pin_found(e);
      while (entries_[e].state == State::Loading) co_await EntryAwaiter(entries_[e]);
      if (const uint32_t status = settle_found(e); status != BLK_RESP_OK) {
        result = BlockResult{status, detail::saturate16(i)};
        break;
      }
      copy_out(i, e);
      release(e);
      ++i;
      continue;
    }
    // Missing blocks in a row are loaded with one request.
    uint32_t want = 1;
    while (i + want < count && want < kMaxRun && want < count_ && lookup(b + want) == kNone) ++want;
    uint32_t first = kNone;
    uint32_t loaded = 0;
    const BlockResult r = co_await load(b, want, first, loaded);
    for (uint32_t j = 0; j < loaded; ++j) {
      copy_out(i + j, first + j);
      release(first + j);
    }
    stats_.misses += loaded;
    i += loaded;
    if (!r.ok()) {
      result = BlockResult{r.status, detail::saturate16(i)};
      break;
    }
  }
  if (copied != 0) counters::copied(copied);  // one copy into the caller's buffer
  if (result.ok()) {
    result.success_count = detail::saturate16(count);
    maybe_readahead(block, count);
  }
  co_return result;
}

inline void BufferCache::maybe_readahead(uint64_t block, uint32_t count) noexcept {
  if (readahead_ == 0) return;
  // A read continues a stream when it starts inside that stream's last read or right after it and
  // goes further (a byte reader reads a file in pieces and touches blocks twice; a file system
  // interleaves its metadata, hence several streams).
  const uint64_t end = block + count;
  Stream* stream = nullptr;
  ++stream_clock_;
  for (Stream& s : streams_) {
    if (s.runs == ~uint32_t{0} || block < s.last || block > s.next) continue;
    if (end <= s.next) {  // within what the stream read already: no progress, keep it alive
      s.used = stream_clock_;
      return;
    }
    stream = &s;
  }
  if (stream == nullptr) {  // a new stream replaces the least recently used
    stream = &streams_[0];
    for (Stream& s : streams_) {
      if (s.used < stream->used) stream = &s;
    }
    *stream = Stream{block, end, 0, 0, stream_clock_};
    return;
  }
  stream->last = block;
  stream->next = end;
  stream->used = stream_clock_;
  ++stream->runs;
  if (stream->ahead < end) stream->ahead = end;
  if (stream->ahead - end > readahead_ / 2) return;  // still half a window ahead of the reader
  const uint64_t capacity = client_.capacity();
  if (stream->ahead >= capacity) return;
  const uint64_t left = capacity - stream->ahead;
  const uint32_t n = left < readahead_ ? static_cast<uint32_t>(left) : readahead_;
  client_.pd().spawn_detached(prefetch(stream->ahead, n));
  stream->ahead += n;
}

inline Task<void> BufferCache::prefetch(uint64_t block, uint32_t count) noexcept {
  uint32_t i = 0;
  while (i < count) {
    if (lookup(block + i) != kNone) {
      ++i;
      continue;
    }
    uint32_t want = 1;
    while (i + want < count && want < kMaxRun && want < count_ && lookup(block + i + want) == kNone) ++want;
    uint32_t probe = 0;
    if (allocate(want, probe) == kNone) co_return;  // read-ahead never waits for buffers
    uint32_t first = kNone;
    uint32_t loaded = 0;
    const BlockResult r = co_await load(block + i, want, first, loaded);
    for (uint32_t j = 0; j < loaded; ++j) release(first + j);
    stats_.readahead_blocks += loaded;
    if (!r.ok()) co_return;
    i += loaded != 0 ? loaded : 1;
  }
}


inline Task<BlockResult> BufferCache::write(uint64_t block, uint32_t count, const void* in) noexcept {
  if (!valid_) co_return BlockResult{BLK_RESP_ERR_NO_DEVICE, 0};
  if (!client_.is_ready()) co_await client_.ready();
  if (count == 0 || client_.read_only() || !protocol::block_range_ok(block, count, client_.capacity())) {
    co_return BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
  }
  const auto* src = static_cast<const uint8_t*>(in);
  uint32_t i = 0;
  while (i < count) {
    const uint64_t b = block + i;
    const uint32_t e = lookup(b);
    if (e != kNone) {
      Entry& entry = entries_[e];
      ++entry.pins;
      // A buffer being written to the device must not change under the transfer.
      while (entry.state == State::Loading || entry.state == State::Writing) co_await EntryAwaiter(entry);
      if (entry.state == State::Failed) {  // its load failed meanwhile; it is no longer indexed
        release(e);
        continue;
      }
      __builtin_memcpy(buffer(e), src + static_cast<uint64_t>(i) * BLK_TRANSFER_SIZE, BLK_TRANSFER_SIZE);
      lru_remove(e);
      entry.state = State::Dirty;
      release(e);
      ++i;
      continue;
    }
    // Missing blocks in a row get buffers in a row, so they are written back with one request.
    uint32_t want = 1;
    while (i + want < count && want < kMaxRun && want < count_ && lookup(b + want) == kNone) ++want;
    uint32_t got = 0;
    const uint32_t first = co_await allocate_waiting(want, got);
    uint32_t k = 0;
    while (k < got && lookup(b + k) == kNone) ++k;
    for (uint32_t j = 0; j < k; ++j) {
      Entry& entry = entries_[first + j];
      entry.block = b + j;
      entry.state = State::Dirty;
      entry.error = BLK_RESP_OK;
      entry.pins = 0;
      hash_insert(first + j);
      __builtin_memcpy(buffer(first + j), src + static_cast<uint64_t>(i + j) * BLK_TRANSFER_SIZE, BLK_TRANSFER_SIZE);
    }
    i += k;
  }
  counters::copied(static_cast<uint64_t>(count) * BLK_TRANSFER_SIZE);  // one copy from the caller's buffer
  co_return BlockResult{BLK_RESP_OK, detail::saturate16(count)};
}


inline Task<BlockResult> BufferCache::flush() noexcept {
  if (!valid_) co_return BlockResult{BLK_RESP_ERR_NO_DEVICE, 0};
  if (!client_.is_ready()) co_await client_.ready();
  start_writeback();
  // Every buffer being written now holds data written before this call (this flush started the
  // write-back, or an earlier flush or eviction did): all must reach the device before the FLUSH.
  BlockResult result{BLK_RESP_OK, 0};
  for (uint32_t e = 0; e < count_; ++e) {
    Entry& entry = entries_[e];
    if (entry.state != State::Writing) continue;
    ++entry.pins;
    while (entry.state == State::Writing) co_await EntryAwaiter(entry);
    if (entry.state == State::Dirty && entry.error != BLK_RESP_OK && result.ok()) result = BlockResult{entry.error, 0};
    release(e);
  }
  if (!result.ok()) co_return result;
  co_return co_await client_.flush();
}


inline Task<bool> BufferCacheReader::read(uint64_t offset, std::span<uint8_t> out) noexcept {
  const BlockResult r = co_await cache_.read_bytes(offset, out.data(), out.size());
  if (!r.ok()) last_ = r;
  co_return r.ok();
}

}  // namespace corokit::exec
