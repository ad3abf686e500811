#include "executor/block/BufferCache.h"

namespace corokit::exec {
namespace {

constexpr uint32_t kMaxRun = 64;  // blocks per device request

uint16_t saturate16(uint64_t v) { return v > 0xffff ? uint16_t{0xffff} : static_cast<uint16_t>(v); }

}  // namespace

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

BufferCache::BufferCache(BlockClient& client, uint8_t* buffers, uint32_t count, const Memory& memory) noexcept
    : client_(client),
      buffers_(buffers),
      count_(count),
      entries_(memory.entries),
      requests_(memory.requests),
      request_free_(memory.request_free),
      buckets_(memory.buckets),
      bucket_mask_(memory.bucket_count - 1) {
  for (uint32_t b = 0; b < memory.bucket_count; ++b) buckets_[b] = kNone;
  for (uint32_t r = 0; r < count; ++r) request_free_[r] = r;
  free_requests_ = count;
  const auto at = reinterpret_cast<uintptr_t>(buffers);
  const auto base = reinterpret_cast<uintptr_t>(client.data());
  valid_ = count != 0 && (memory.bucket_count & bucket_mask_) == 0 && client.data() != nullptr && at >= base &&
           protocol::data_range_ok(at - base, count, client.data_bytes());
  if (valid_) buffers_offset_ = at - base;
}

BufferCache::~BufferCache() {
  if (!space_waiters_.empty()) panic("corokit block: BufferCache destroyed while tasks wait for buffers");
}

uint32_t BufferCache::dirty_count() const noexcept {
  uint32_t n = 0;
  for (uint32_t e = 0; e < count_; ++e) n += entries_[e].state == State::Dirty || entries_[e].state == State::Writing;
  return n;
}

// --- index and lists ---------------------------------------------------------------------------------

namespace {
inline uint32_t hash(uint64_t block, uint32_t mask) {
  return static_cast<uint32_t>((block * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}
}  // namespace

uint32_t BufferCache::lookup(uint64_t block) const noexcept {
  for (uint32_t e = buckets_[hash(block, bucket_mask_)]; e != kNone; e = entries_[e].hash_next) {
    if (entries_[e].block == block) return e;
  }
  return kNone;
}

void BufferCache::hash_insert(uint32_t e) noexcept {
  uint32_t& head = buckets_[hash(entries_[e].block, bucket_mask_)];
  entries_[e].hash_next = head;
  head = e;
}

void BufferCache::hash_remove(uint32_t e) noexcept {
  uint32_t* link = &buckets_[hash(entries_[e].block, bucket_mask_)];
  while (*link != kNone && *link != e) link = &entries_[*link].hash_next;
  if (*link == e) *link = entries_[e].hash_next;
  entries_[e].hash_next = kNone;
}

void BufferCache::lru_push(uint32_t e) noexcept {
  Entry& entry = entries_[e];
  entry.lru_prev = lru_tail_;
  entry.lru_next = kNone;
  (lru_tail_ != kNone ? entries_[lru_tail_].lru_next : lru_head_) = e;
  lru_tail_ = e;
  entry.in_lru = true;
}

void BufferCache::lru_remove(uint32_t e) noexcept {
  Entry& entry = entries_[e];
  if (!entry.in_lru) return;
  (entry.lru_prev != kNone ? entries_[entry.lru_prev].lru_next : lru_head_) = entry.lru_next;
  (entry.lru_next != kNone ? entries_[entry.lru_next].lru_prev : lru_tail_) = entry.lru_prev;
  entry.lru_prev = entry.lru_next = kNone;
  entry.in_lru = false;
}

void BufferCache::wake_space() noexcept { space_waiters_.wake_all(); }

void BufferCache::make_clean(uint32_t e) noexcept {
  entries_[e].state = State::Clean;
  lru_push(e);
  if (entries_[e].pins == 0) wake_space();
}

void BufferCache::make_free(uint32_t e) noexcept {
  lru_remove(e);
  entries_[e].state = State::Free;
  wake_space();
}

void BufferCache::release(uint32_t e) noexcept {
  Entry& entry = entries_[e];
  if (--entry.pins != 0) return;
  if (entry.state == State::Failed) {
    make_free(e);
  } else if (entry.state == State::Clean) {
    wake_space();
  }
}

// --- buffers ---------------------------------------------------------------------------------------

uint32_t BufferCache::allocate(uint32_t want, uint32_t& got) noexcept {
  uint32_t best = kNone;
  uint32_t best_length = 0;
  uint32_t run = 0;
  for (uint32_t e = 0; e < count_; ++e) {
    if (entries_[e].state != State::Free) {
      run = 0;
      continue;
    }
    if (++run > best_length) {
      best = e + 1 - run;
      best_length = run;
    }
    if (run == want) {
      got = want;
      return e + 1 - run;
    }
  }
  // Evict clean buffers, least recently used first, until one leaves `want` free in a row.
  uint32_t evicted = 0;
  for (uint32_t e = lru_head_; e != kNone && evicted < 2 * want + 8;) {
    const uint32_t next = entries_[e].lru_next;
    if (entries_[e].pins == 0) {
      lru_remove(e);
      hash_remove(e);
      entries_[e].state = State::Free;
      ++stats_.evictions;
      ++evicted;
      uint32_t lo = e;
      uint32_t hi = e;
      while (lo > 0 && entries_[lo - 1].state == State::Free && hi - lo + 1 < want) --lo;
      while (hi + 1 < count_ && entries_[hi + 1].state == State::Free && hi - lo + 1 < want) ++hi;
      if (hi - lo + 1 > best_length) {
        best = lo;
        best_length = hi - lo + 1;
      }
      if (best_length == want) break;
    }
    e = next;
  }
  got = best_length;
  return best_length != 0 ? best : kNone;
}

Task<uint32_t> BufferCache::allocate_waiting(uint32_t want, uint32_t& got) noexcept {
  for (;;) {
    const uint32_t first = allocate(want, got);
    if (first != kNone) co_return first;
    start_writeback();  // every buffer is dirty or in use: make clean ones
    co_await SpaceAwaiter(*this);
  }
}

Task<BlockResult> BufferCache::load(uint64_t block, uint32_t want, uint32_t& first, uint32_t& loaded) noexcept {
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
  co_return r.ok() ? BlockResult{} : BlockResult{r.status, saturate16(good)};
}

// --- reading ----------------------------------------------------------------------------------------

Task<BlockResult> BufferCache::read(uint64_t block, uint32_t count, void* out) noexcept {
  if (!valid_) co_return BlockResult{BLK_RESP_ERR_NO_DEVICE, 0};
  if (!client_.is_ready()) co_await client_.ready();
  if (count == 0 || !protocol::block_range_ok(block, count, client_.capacity())) {
    co_return BlockResult{BLK_RESP_ERR_INVALID_PARAM, 0};
  }
  auto* dst = static_cast<uint8_t*>(out);
  BlockResult result{BLK_RESP_OK, 0};
  uint32_t i = 0;
  while (i < count) {
    const uint64_t b = block + i;
    const uint32_t e = lookup(b);
    if (e != kNone) {
      Entry& entry = entries_[e];
      ++entry.pins;
      if (entry.state == State::Loading) {
        ++stats_.shared_loads;
        while (entry.state == State::Loading) co_await EntryAwaiter(entry);
      } else {
        ++stats_.hits;
      }
      if (entry.state == State::Failed) {
        result = BlockResult{entry.error, saturate16(i)};
        release(e);
        break;
      }
      __builtin_memcpy(dst + static_cast<uint64_t>(i) * BLK_TRANSFER_SIZE, buffer(e), BLK_TRANSFER_SIZE);
      if (entry.in_lru) {  // most recently used
        lru_remove(e);
        lru_push(e);
      }
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
      __builtin_memcpy(dst + static_cast<uint64_t>(i + j) * BLK_TRANSFER_SIZE, buffer(first + j), BLK_TRANSFER_SIZE);
      release(first + j);
    }
    stats_.misses += loaded;
    i += loaded;
    if (!r.ok()) {
      result = BlockResult{r.status, saturate16(i)};
      break;
    }
  }
  if (result.ok()) {
    result.success_count = saturate16(count);
    maybe_readahead(block, count);
  }
  co_return result;
}

void BufferCache::maybe_readahead(uint64_t block, uint32_t count) noexcept {
  if (readahead_ == 0) return;
  if (block == seq_next_) {
    ++seq_runs_;
  } else {
    seq_runs_ = 0;
    ra_next_ = 0;
  }
  seq_next_ = block + count;
  if (seq_runs_ == 0) return;
  const uint64_t end = block + count;
  if (ra_next_ < end) ra_next_ = end;
  if (ra_next_ - end > readahead_ / 2) return;  // still half a window ahead of the reader
  const uint64_t capacity = client_.capacity();
  if (ra_next_ >= capacity) return;
  const uint64_t left = capacity - ra_next_;
  const uint32_t n = left < readahead_ ? static_cast<uint32_t>(left) : readahead_;
  client_.pd().spawn_detached(prefetch(ra_next_, n));
  ra_next_ += n;
}

Task<void> BufferCache::prefetch(uint64_t block, uint32_t count) noexcept {
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

// --- writing ----------------------------------------------------------------------------------------

Task<BlockResult> BufferCache::write(uint64_t block, uint32_t count, const void* in) noexcept {
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
  co_return BlockResult{BLK_RESP_OK, saturate16(count)};
}

void BufferCache::start_writeback() noexcept {
  for (uint32_t e = 0; e < count_;) {
    if (entries_[e].state != State::Dirty) {
      ++e;
      continue;
    }
    if (free_requests_ == 0) return;
    uint32_t k = 1;
    while (e + k < count_ && k < kMaxRun && entries_[e + k].state == State::Dirty &&
           entries_[e + k].block == entries_[e].block + k) {
      ++k;
    }
    BlockRequest& r = requests_[request_free_[--free_requests_]];
    r.code = BLK_REQ_WRITE;
    r.block = entries_[e].block;
    r.count = static_cast<uint16_t>(k);
    r.offset = buffers_offset_ + static_cast<uint64_t>(e) * BLK_TRANSFER_SIZE;
    r.task = nullptr;
    r.on_complete = &BufferCache::writeback_done;
    r.context = this;
    for (uint32_t j = 0; j < k; ++j) entries_[e + j].state = State::Writing;
    ++stats_.device_writes;
    stats_.written_blocks += k;
    e += k;
    client_.submit(r);
  }
}

void BufferCache::writeback_done(BlockRequest& request, void* self) noexcept {
  BufferCache& cache = *static_cast<BufferCache*>(self);
  const uint32_t first = static_cast<uint32_t>((request.offset - cache.buffers_offset_) / BLK_TRANSFER_SIZE);
  const uint32_t good = request.result.ok() ? request.count : request.result.success_count;
  for (uint32_t j = 0; j < request.count; ++j) {
    Entry& entry = cache.entries_[first + j];
    if (j < good) {
      entry.error = BLK_RESP_OK;
      cache.make_clean(first + j);
    } else {
      entry.error = request.result.status;  // stays dirty: the next flush tries again
      entry.state = State::Dirty;
    }
    entry.waiters.wake_all();
  }
  cache.request_free_[cache.free_requests_++] = static_cast<uint32_t>(&request - cache.requests_);
  cache.wake_space();
}

Task<BlockResult> BufferCache::flush() noexcept {
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

}  // namespace corokit::exec
