#include "executor/block/BufferCache.h"

namespace corokit::exec {

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

void BufferCache::pin_found(uint32_t e) noexcept {
  Entry& entry = entries_[e];
  ++entry.pins;
  if (entry.state == State::Loading) {
    ++stats_.shared_loads;
  } else {
    ++stats_.hits;
  }
}

uint32_t BufferCache::settle_found(uint32_t e) noexcept {
  Entry& entry = entries_[e];
  if (entry.state == State::Failed) {
    const uint32_t error = entry.error;
    release(e);
    return error;
  }
  if (entry.in_lru) {
    lru_remove(e);
    lru_push(e);
  }
  return BLK_RESP_OK;
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

// --- writing ----------------------------------------------------------------------------------------

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

}  // namespace corokit::exec
