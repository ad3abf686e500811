// A block client for the system tests: random reads and writes with checksummed records from 16
// tasks at once, then the same through a buffer cache, then a read-back of everything written.
// Requests outside its partition must be refused; two writes of one block with a BARRIER between
// them, all in flight at once, leave the later one on the device. A read-only client instead checks the pattern
// the test put on its partition with dd, and that writes are refused. Prints one result line:
//   stress: ok tag 0x... writes N reads N        or        stress: FAIL <what>
#include <vector>

#include "executor/Event.h"
#include "executor/WhenAll.h"
#include "executor/block/BufferCache.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"
#include "tests/block/pds/BlockRecord.h"

COROKIT_BLOCK_CLIENT_SETVARS();

namespace {

using namespace corokit;
using corokit::testing::make_record;
using corokit::testing::read_record;
using corokit::testing::RecordHeader;
using exec::BlockResult;
using exec::Task;

constexpr uint64_t kMaxBlocks = 1024;
constexpr unsigned kWorkers = 16;
constexpr uint32_t kOpsPerWorker = 250;
constexpr uint32_t kCacheBuffers = 64;
constexpr uint64_t kCacheSlot = 128;  // data-region block where the cache's buffers start
constexpr uint64_t kCheckSlot = 200;  // data-region blocks for the final read-back

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

struct Stress {
  exec::BlockClient* blk = nullptr;
  exec::StaticBufferCache<kCacheBuffers>* cache = nullptr;
  uint32_t tag = 0;
  uint64_t blocks = 0;
  uint64_t versions[kMaxBlocks] = {};
  bool busy[kMaxBlocks] = {};
  uint64_t writes = 0;
  uint64_t reads = 0;
  bool failed = false;

  void start(exec::AsyncPd& pd) {
    static exec::BlockClient client(pd, block_client_config());
    static exec::StaticBufferCache<kCacheBuffers> buffers(client, client.data() + kCacheSlot * BLK_TRANSFER_SIZE);
    blk = &client;
    cache = &buffers;
    pd.spawn_detached(run());
  }

  uint8_t* slot(uint64_t i) { return blk->data() + i * BLK_TRANSFER_SIZE; }

  template <typename... Args>
  void fail(const Args&... args) {
    if (!failed) log::error("stress: FAIL ", args...);
    failed = true;
  }

  bool check(const uint8_t* block, uint64_t number) {
    RecordHeader h;
    if (!read_record(block, h) || h.tag != tag || h.block != number || h.version != versions[number]) {
      fail("block ", number, " holds ", h.magic == corokit::testing::kRecordMagic ? "another record" : "no record",
           " (tag ", hex(h.tag, 8), " block ", h.block, " version ", h.version, ", expected ", versions[number], ")");
      return false;
    }
    return true;
  }

  Task<void> run() {
    co_await blk->ready();
    tag = corokit::testing::fnv1a(reinterpret_cast<const uint8_t*>(blk->info().serial_number), 64);
    blocks = blk->capacity() < kMaxBlocks ? blk->capacity() : kMaxBlocks;
    if (blocks < 8 || blk->data_bytes() < (kCheckSlot + 8) * BLK_TRANSFER_SIZE) {
      fail("partition or data region too small");
      co_return;
    }
    if (blk->read_only()) {
      co_await read_only_checks();
    } else {
      std::vector<Task<void>> tasks;
      for (unsigned w = 0; w < kWorkers; ++w) tasks.push_back(worker(w));
      co_await exec::when_all(tasks);
      co_await bounds();
      co_await barriers();
      const BlockResult f = co_await blk->flush();
      if (!f.ok()) fail("flush: status ", f.status);
      co_await through_cache();
      co_await read_back();
    }
    if (!failed) log::info("stress: ok tag ", hex(tag, 8), " writes ", writes, " reads ", reads);
  }

  Task<void> worker(unsigned w) {
    Rng rng{0x1234567ull * (w + 1) ^ tag};
    uint8_t* buffer = slot(w * 4);
    for (uint32_t i = 0; i < kOpsPerWorker && !failed; ++i) {
      const uint16_t count = static_cast<uint16_t>(1 + rng.next() % 4);
      const uint64_t first = rng.next() % (blocks - count + 1);
      bool free = true;
      for (uint64_t k = 0; k < count; ++k) free &= !busy[first + k];
      if (!free) continue;
      for (uint64_t k = 0; k < count; ++k) busy[first + k] = true;
      if (rng.next() % 2) {
        for (uint64_t k = 0; k < count; ++k) {
          make_record(buffer + k * BLK_TRANSFER_SIZE, tag, first + k, ++versions[first + k]);
        }
        const BlockResult r = co_await blk->write(first, count, buffer);
        if (!r.ok()) fail("write ", first, "+", count, ": status ", r.status);
        ++writes;
      } else {
        const BlockResult r = co_await blk->read(first, count, buffer);
        if (!r.ok()) fail("read ", first, "+", count, ": status ", r.status);
        for (uint64_t k = 0; k < count && r.ok(); ++k) {
          if (versions[first + k] != 0) check(buffer + k * BLK_TRANSFER_SIZE, first + k);
        }
        ++reads;
      }
      for (uint64_t k = 0; k < count; ++k) busy[first + k] = false;
    }
  }

  // Nothing outside the partition is reachable.
  Task<void> bounds() {
    const uint64_t capacity = blk->capacity();
    BlockResult a = co_await blk->read(capacity, 1, slot(0));
    BlockResult b = co_await blk->read(capacity - 1, 2, slot(0));
    BlockResult c = co_await blk->write(capacity, 1, slot(0));
    if (a.status != BLK_RESP_ERR_INVALID_PARAM || b.status != BLK_RESP_ERR_INVALID_PARAM ||
        c.status != BLK_RESP_ERR_INVALID_PARAM) {
      fail("a request outside the partition was not refused: ", a.status, " ", b.status, " ", c.status);
    }
  }

  // BARRIER end to end: write, barrier, write of the same block submitted together. Nothing after
  // the barrier starts before everything before it is answered, so the answers come in that order
  // and the second write is what the block holds.
  uint32_t answered = 0;
  exec::BlockRequest* answer_order[3] = {};
  exec::Event all_answered;
  static void count_answer(exec::BlockRequest& request, void* self) noexcept {
    Stress& s = *static_cast<Stress*>(self);
    s.answer_order[s.answered] = &request;
    if (++s.answered == 3) s.all_answered.set();
  }
  Task<void> barriers() {
    for (uint64_t round = 0; round < 64 && !failed; ++round) {
      const uint64_t b = round * 37 % blocks;
      make_record(slot(0), tag, b, ++versions[b]);
      make_record(slot(1), tag, b, ++versions[b]);
      exec::BlockRequest first, fence, second;
      first.code = BLK_REQ_WRITE;
      first.block = b;
      first.count = 1;
      first.offset = 0;
      fence.code = BLK_REQ_BARRIER;
      second = first;
      second.offset = BLK_TRANSFER_SIZE;
      answered = 0;
      all_answered.reset();
      for (exec::BlockRequest* r : {&first, &fence, &second}) {
        r->on_complete = &Stress::count_answer;
        r->context = this;
        blk->submit(*r);
      }
      co_await all_answered;
      if (!first.result.ok() || !fence.result.ok() || !second.result.ok()) {
        fail("write/barrier/write of block ", b, ": status ", first.result.status, " ", fence.result.status, " ",
             second.result.status);
        co_return;
      }
      // The barrier is answered once the write before it is, and the write after it only then.
      if (answer_order[0] != &first || answer_order[1] != &fence || answer_order[2] != &second) {
        fail("write/barrier/write of block ", b, " answered out of order");
        co_return;
      }
      const BlockResult r = co_await blk->read(b, 1, slot(2));
      if (!r.ok()) fail("read after barrier, block ", b, ": status ", r.status);
      if (r.ok()) check(slot(2), b);
    }
  }

  Task<void> through_cache() {
    Rng rng{0xC0FFEEull ^ tag};
    static uint8_t buffer[4 * BLK_TRANSFER_SIZE];
    const uint64_t span = blocks < 256 ? blocks : 256;
    for (int i = 0; i < 1500 && !failed; ++i) {
      const uint32_t count = static_cast<uint32_t>(1 + rng.next() % 4);
      const uint64_t first = rng.next() % (span - count + 1);
      const uint64_t op = rng.next() % 10;
      if (op < 5) {
        const BlockResult r = co_await cache->read(first, count, buffer);
        if (!r.ok()) fail("cached read: status ", r.status);
        for (uint32_t k = 0; k < count && r.ok(); ++k) {
          if (versions[first + k] != 0) check(buffer + k * BLK_TRANSFER_SIZE, first + k);
        }
        ++reads;
      } else if (op < 9) {
        for (uint32_t k = 0; k < count; ++k) make_record(buffer + k * BLK_TRANSFER_SIZE, tag, first + k, ++versions[first + k]);
        const BlockResult r = co_await cache->write(first, count, buffer);
        if (!r.ok()) fail("cached write: status ", r.status);
        ++writes;
      } else {
        const BlockResult r = co_await cache->flush();
        if (!r.ok()) fail("cache flush: status ", r.status);
      }
    }
    const BlockResult r = co_await cache->flush();
    if (!r.ok()) fail("cache flush: status ", r.status);
  }

  // Everything written is on the device, read past the cache.
  Task<void> read_back() {
    for (uint64_t b = 0; b < blocks && !failed; b += 8) {
      const uint16_t n = static_cast<uint16_t>(blocks - b < 8 ? blocks - b : 8);
      const BlockResult r = co_await blk->read(b, n, slot(kCheckSlot));
      if (!r.ok()) fail("read-back ", b, ": status ", r.status);
      for (uint64_t k = 0; k < n && r.ok(); ++k) {
        if (versions[b + k] != 0) check(slot(kCheckSlot + k), b + k);
      }
    }
  }

  // A read-only partition: the pattern the test wrote with dd ("RO-BLOCK" and the block number).
  Task<void> read_only_checks() {
    Rng rng{99};
    for (int i = 0; i < 200 && !failed; ++i) {
      const uint64_t b = rng.next() % blocks;
      const BlockResult r = co_await blk->read(b, 1, slot(0));
      uint64_t number = 0;
      __builtin_memcpy(&number, slot(0) + 8, 8);
      if (!r.ok() || __builtin_memcmp(slot(0), "RO-BLOCK", 8) != 0 || number != b) {
        fail("read-only block ", b, " does not hold its pattern (status ", r.status, ")");
      }
      ++reads;
    }
    const BlockResult w = co_await blk->write(0, 1, slot(0));
    if (w.status != BLK_RESP_ERR_INVALID_PARAM) fail("a write to a read-only partition got status ", w.status);
  }
};

}  // namespace

COROKIT_ASYNC_PD(Stress, 256 * 1024);
