// The buffer cache (executor/block/BufferCache.h): in-flight de-duplication, multi-block loads and
// write-backs, read-ahead, write-back with flush() as the durability point, bounded memory, and
// errors that reach the caller.
#include <gtest/gtest.h>

#include <random>

#include "executor/block/BufferCache.h"
#include "executor/host/PdHarness.h"
#include "tests/block/FakeDevice.h"

namespace corokit::testing {
namespace {

using exec::BlockClient;
using exec::BlockResult;
using exec::PdHarness;
using exec::StaticBufferCache;
using exec::Task;

constexpr exec::ChannelId kCh = 2;
constexpr uint64_t kBlocks = 1024;

template <uint32_t N>
struct Fixture {
  Fixture()
      : q(16, (N + 8) * 4096), device(q, 16, kBlocks),
        client(h.pd(), exec::BlockClientConfig{&q.storage_info(), q.requests.data(), q.requests.size(),
                                               q.responses.data(), q.responses.size(), q.data.data(), q.data.size(),
                                               kCh}),
        cache(client, q.data.data()) {
    for (uint64_t b = 0; b < kBlocks; ++b) {
      const uint32_t tag = static_cast<uint32_t>(b * 7 + 1);
      std::memcpy(device.disk().data() + b * 4096, &tag, 4);
    }
    device.publish();
  }
  static uint32_t tag(const uint8_t* block) {
    uint32_t t;
    std::memcpy(&t, block, 4);
    return t;
  }
  void run() { pump(h, device, kCh); }

  PdHarness h;
  QueuePair q;
  FakeDevice device;
  BlockClient client;
  StaticBufferCache<N> cache;
};

TEST(BufferCache, TwoReadersOfOneBlockCauseOneDeviceRead) {
  Fixture<32> f;
  ASSERT_TRUE(f.cache.valid());
  f.cache.set_readahead(0);
  static uint8_t a[4096], b[4096];
  BlockResult ra{}, rb{};
  auto reader = [](Fixture<32>& f, uint8_t* out, BlockResult& r) -> Task<void> { r = co_await f.cache.read(9, 1, out); };
  f.h.pd().spawn_detached(reader(f, a, ra));
  f.h.pd().spawn_detached(reader(f, b, rb));
  f.run();
  EXPECT_TRUE(ra.ok());
  EXPECT_TRUE(rb.ok());
  EXPECT_EQ(f.device.reads, 1u);
  EXPECT_EQ(f.cache.stats().shared_loads, 1u);
  EXPECT_EQ(Fixture<32>::tag(a), 9u * 7 + 1);
  EXPECT_EQ(Fixture<32>::tag(b), 9u * 7 + 1);
}

TEST(BufferCache, MissingBlocksInARowAreOneRequestAndThenHits) {
  Fixture<32> f;
  f.cache.set_readahead(0);
  static uint8_t out[8 * 4096];
  BlockResult r1{}, r2{};
  f.h.pd().spawn_detached([](Fixture<32>& f, BlockResult& r1, BlockResult& r2) -> Task<void> {
    r1 = co_await f.cache.read(100, 8, out);
    r2 = co_await f.cache.read(102, 4, out);
  }(f, r1, r2));
  f.run();
  EXPECT_TRUE(r1.ok());
  EXPECT_EQ(r1.success_count, 8);
  EXPECT_EQ(f.device.reads, 1u);
  EXPECT_EQ(f.device.read_blocks, 8u);
  EXPECT_EQ(f.cache.stats().hits, 4u);
  EXPECT_EQ(Fixture<32>::tag(out + 3 * 4096), 105u * 7 + 1);
}

TEST(BufferCache, SequentialReadsReadAhead) {
  Fixture<128> f;
  f.cache.set_readahead(16);
  uint64_t mismatches = 0;
  f.h.pd().spawn_detached([](Fixture<128>& f, uint64_t& bad) -> Task<void> {
    static uint8_t out[4096];
    for (uint64_t b = 0; b < 200; ++b) {
      BlockResult r = co_await f.cache.read(b, 1, out);
      if (!r.ok() || Fixture<128>::tag(out) != b * 7 + 1) ++bad;
    }
  }(f, mismatches));
  f.run();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(f.cache.stats().readahead_blocks, 150u);
  EXPECT_LT(f.device.reads, 30u) << "blocks come in windows, not one request per block";
  EXPECT_GT(f.cache.stats().hits + f.cache.stats().shared_loads, 150u);
}

TEST(BufferCache, WritesStayInTheCacheUntilFlush) {
  Fixture<32> f;
  static uint8_t in[4 * 4096];
  for (int i = 0; i < 4; ++i) {
    const uint32_t t = 0xC0DE0000u + static_cast<uint32_t>(i);
    std::memcpy(in + i * 4096, &t, 4);
  }
  BlockResult w{}, fl{};
  bool written = false;
  f.h.pd().spawn_detached([](Fixture<32>& f, BlockResult& w, BlockResult& fl, bool& written) -> Task<void> {
    w = co_await f.cache.write(40, 4, in);
    written = true;
    co_await f.client.barrier();  // lets the device run: nothing of the write may reach it
    fl = co_await f.cache.flush();
  }(f, w, fl, written));
  f.h.start();
  EXPECT_TRUE(written);
  EXPECT_EQ(f.cache.dirty_count(), 4u);
  f.device.take();
  EXPECT_EQ(f.device.pending.size(), 1u) << "only the barrier";
  f.device.complete_all();
  f.h.deliver(kCh);
  f.device.take();
  ASSERT_EQ(f.device.pending.size(), 1u) << "the four blocks in one write-back";
  EXPECT_EQ(f.device.pending[0].code, BLK_REQ_WRITE);
  EXPECT_EQ(f.device.pending[0].count, 4);
  f.device.complete_all();
  f.h.deliver(kCh);
  f.device.take();
  ASSERT_EQ(f.device.pending.size(), 1u) << "then the device FLUSH";
  EXPECT_EQ(f.device.pending[0].code, BLK_REQ_FLUSH);
  f.device.complete_all();
  f.h.deliver(kCh);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(fl.ok());
  EXPECT_EQ(f.cache.dirty_count(), 0u);
  EXPECT_EQ(Fixture<32>::tag(f.device.disk().data() + 42 * 4096), 0xC0DE0002u);
}

TEST(BufferCache, BoundedMemoryWritesBackUnderPressure) {
  Fixture<8> f;
  f.cache.set_readahead(0);
  BlockResult fl{};
  int bad = 0;
  f.h.pd().spawn_detached([](Fixture<8>& f, BlockResult& fl, int& bad) -> Task<void> {
    static uint8_t in[4096];
    for (uint32_t b = 0; b < 40; ++b) {
      const uint32_t t = 0xF00D0000u + b;
      std::memcpy(in, &t, 4);
      BlockResult r = co_await f.cache.write(500 + b * 3, 1, in);  // not adjacent: one request each
      if (!r.ok()) ++bad;
    }
    fl = co_await f.cache.flush();
  }(f, fl, bad));
  f.run();
  EXPECT_EQ(bad, 0);
  EXPECT_TRUE(fl.ok());
  for (uint32_t b = 0; b < 40; ++b) {
    EXPECT_EQ(Fixture<8>::tag(f.device.disk().data() + (500 + b * 3) * 4096), 0xF00D0000u + b) << b;
  }
  EXPECT_EQ(f.device.written_blocks, 40u);
  EXPECT_GT(f.cache.stats().evictions, 0u);
}

TEST(BufferCache, ReadErrorsCarryTheBlocksReadBeforeThem) {
  Fixture<32> f;
  f.cache.set_readahead(0);
  f.device.fail_block(203);
  BlockResult r{};
  f.h.pd().spawn_detached([](Fixture<32>& f, BlockResult& r) -> Task<void> {
    static uint8_t out[8 * 4096];
    r = co_await f.cache.read(200, 8, out);
  }(f, r));
  f.run();
  EXPECT_EQ(r.status, BLK_RESP_ERR_IO);
  EXPECT_EQ(r.success_count, 3);
}

TEST(BufferCache, AFailedWriteBackFailsTheFlushAndIsRetried) {
  Fixture<32> f;
  f.device.fail_block(77);
  BlockResult first{}, second{};
  f.h.pd().spawn_detached([](Fixture<32>& f, BlockResult& first, BlockResult& second) -> Task<void> {
    static uint8_t in[4096] = {1, 2, 3, 4};
    co_await f.cache.write(77, 1, in);
    first = co_await f.cache.flush();
    f.device.fail_block(~uint64_t{0});
    second = co_await f.cache.flush();
  }(f, first, second));
  f.run();
  EXPECT_EQ(first.status, BLK_RESP_ERR_IO);
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(f.device.disk()[77 * 4096 + 2], 3);
  EXPECT_EQ(f.device.flushes, 1u) << "no device FLUSH after a failed write-back";
}

TEST(BufferCache, RandomWorkloadMatchesAModel) {
  Fixture<16> f;
  std::vector<uint32_t> model(kBlocks);
  for (uint64_t b = 0; b < kBlocks; ++b) model[b] = static_cast<uint32_t>(b * 7 + 1);
  int mismatches = 0;
  f.h.pd().spawn_detached([](Fixture<16>& f, std::vector<uint32_t>& model, int& bad) -> Task<void> {
    std::mt19937 rng(17);
    static uint8_t buf[4 * 4096];
    for (int i = 0; i < 2000; ++i) {
      const uint64_t b = rng() % 60;
      const uint32_t n = 1 + rng() % 4;
      const int op = static_cast<int>(rng() % 10);
      if (op < 5) {
        BlockResult r = co_await f.cache.read(b, n, buf);
        for (uint32_t k = 0; k < n; ++k) bad += !r.ok() || Fixture<16>::tag(buf + k * 4096) != model[b + k];
      } else if (op < 9) {
        for (uint32_t k = 0; k < n; ++k) {
          const uint32_t t = static_cast<uint32_t>(rng());
          std::memcpy(buf + k * 4096, &t, 4);
          model[b + k] = t;
        }
        BlockResult r = co_await f.cache.write(b, n, buf);
        bad += !r.ok();
      } else {
        BlockResult r = co_await f.cache.flush();
        bad += !r.ok();
      }
    }
    BlockResult r = co_await f.cache.flush();
    bad += !r.ok();
  }(f, model, mismatches));
  f.run();
  EXPECT_EQ(mismatches, 0);
  for (uint64_t b = 0; b < 64; ++b) EXPECT_EQ(Fixture<16>::tag(f.device.disk().data() + b * 4096), model[b]) << b;
}

TEST(BufferCache, AnyByteRangeReadsLikeTheDevice) {
  Fixture<16> f;
  std::mt19937 fill(5);
  for (auto& b : f.device.disk()) b = static_cast<uint8_t>(fill());
  int mismatches = 0;
  f.h.pd().spawn_detached([](Fixture<16>& f, int& bad) -> Task<void> {
    std::mt19937 rng(8);
    static uint8_t out[5 * 4096];
    for (int i = 0; i < 300; ++i) {
      const uint64_t length = 1 + rng() % sizeof out;
      const uint64_t offset = rng() % (200 * 4096);
      BlockResult r = co_await f.cache.read_bytes(offset, out, length);
      bad += !r.ok() || std::memcmp(out, f.device.disk().data() + offset, length) != 0;
    }
  }(f, mismatches));
  f.run();
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace corokit::testing
