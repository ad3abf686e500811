// The block client adapter (executor/block/BlockClient.h): the ready handshake, requests as
// awaitables from many tasks with many in flight, completions matched by id in any order, and
// validation of what the server answers.
#include <gtest/gtest.h>

#include <random>

#include "executor/block/BlockClient.h"
#include "executor/host/PdHarness.h"
#include "tests/block/FakeDevice.h"

namespace corokit::testing {
namespace {

using exec::BlockClient;
using exec::BlockResult;
using exec::PdHarness;
using exec::Task;

constexpr exec::ChannelId kCh = 3;

// A clock for the poll window: every reading is 1 µs after the previous one.
uint64_t g_fake_ns = 0;
uint64_t fake_clock() noexcept { return g_fake_ns += 1000; }

exec::BlockClientConfig config_for(QueuePair& q, uint64_t io_base = 0, uint64_t poll_ns = 0) {
  exec::BlockClientConfig c{&q.storage_info(), q.requests.data(), q.requests.size(), q.responses.data(),
                            q.responses.size(), q.data.data(), q.data.size(), kCh};
  c.io_base = io_base;
  c.poll_ns = poll_ns;
  c.clock_ns = fake_clock;
  g_fake_ns = 1'000'000'000;
  return c;
}

struct Fixture {
  explicit Fixture(uint32_t capacity = 8, uint64_t blocks = 256, uint64_t io_base = 0, uint64_t poll_ns = 0)
      : q(capacity, 64 * 4096), device(q, capacity, blocks), client(h.pd(), config_for(q, io_base, poll_ns)) {}
  uint8_t* buffer(unsigned i) { return q.data.data() + i * 4096; }

  PdHarness h;
  QueuePair q;
  FakeDevice device;
  BlockClient client;
};

TEST(BlockClient, RequestsWaitForTheStorageInfo) {
  Fixture f;
  ASSERT_TRUE(f.client.valid());
  BlockResult result{99, 0};
  bool ready_seen = false;
  f.h.pd().spawn_detached([](Fixture& f, BlockResult& out, bool& ready) -> Task<void> {
    co_await f.client.ready();
    ready = true;
    out = co_await f.client.read(1, 1, f.buffer(0));
  }(f, result, ready_seen));
  f.h.start();
  EXPECT_FALSE(ready_seen);
  EXPECT_EQ(f.device.take(), 0u) << "no request before ready";
  f.device.publish();
  f.h.deliver(kCh);
  EXPECT_TRUE(ready_seen);
  EXPECT_EQ(f.client.capacity(), 256u);
  pump(f.h, f.device, kCh);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.success_count, 1);
}

TEST(BlockClient, ManyTasksManyRequestsCompletedOutOfOrder) {
  Fixture f(/*capacity=*/8);
  f.device.publish();
  for (uint64_t b = 0; b < 64; ++b) std::memset(f.device.disk().data() + b * 4096, static_cast<int>(b), 4096);
  int ok = 0;
  for (unsigned t = 0; t < 64; ++t) {
    f.h.pd().spawn_detached([](Fixture& f, unsigned t, int& ok) -> Task<void> {
      BlockResult r = co_await f.client.read(t, 1, f.buffer(t % 64));
      if (r.ok() && f.buffer(t % 64)[100] == static_cast<uint8_t>(t)) ++ok;
    }(f, t, ok));
  }
  f.h.start();
  std::mt19937 rng(3);
  size_t peak = 0;
  for (int round = 0; round < 1000 && ok < 64; ++round) {
    f.device.take();
    peak = std::max(peak, f.device.pending.size());
    if (f.device.pending.empty()) break;
    // Complete a random subset in random order.
    for (int k = static_cast<int>(rng() % 4) + 1; k > 0 && !f.device.pending.empty(); --k) {
      f.device.complete(rng() % f.device.pending.size());
    }
    f.h.deliver(kCh);
  }
  EXPECT_EQ(ok, 64);
  EXPECT_EQ(peak, 8u) << "as many in flight as the queue holds, the rest waiting";
  EXPECT_EQ(f.client.in_flight(), 0u);
}

TEST(BlockClient, WritesReachTheDeviceAndErrorsReachTheCaller) {
  Fixture f;
  f.device.publish();
  f.device.fail_block(5);
  BlockResult w{}, r{};
  std::memset(f.buffer(0), 0x5A, 8 * 4096);
  f.h.pd().spawn_detached([](Fixture& f, BlockResult& w, BlockResult& r) -> Task<void> {
    w = co_await f.client.write(0, 4, f.buffer(0));
    r = co_await f.client.read(2, 8, f.buffer(8));
  }(f, w, r));
  pump(f.h, f.device, kCh);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(f.device.disk()[3 * 4096], 0x5A);
  EXPECT_EQ(r.status, BLK_RESP_ERR_IO);
  EXPECT_EQ(r.success_count, 3) << "blocks 2, 3, 4 before the failing block 5";
}

TEST(BlockClient, BuffersOutsideTheDataRegionAreRefusedLocally) {
  Fixture f;
  f.device.publish();
  static uint8_t outside[8192];
  BlockResult a{}, b{}, c{};
  f.h.pd().spawn_detached([](Fixture& f, BlockResult& a, BlockResult& b, BlockResult& c) -> Task<void> {
    a = co_await f.client.read(0, 1, outside);
    b = co_await f.client.read(0, 1, f.buffer(0) + 1);    // unaligned
    c = co_await f.client.read(0, 65, f.buffer(0));       // past the region's end
  }(f, a, b, c));
  pump(f.h, f.device, kCh);
  EXPECT_EQ(a.status, BLK_RESP_ERR_INVALID_PARAM);
  EXPECT_EQ(b.status, BLK_RESP_ERR_INVALID_PARAM);
  EXPECT_EQ(c.status, BLK_RESP_ERR_INVALID_PARAM);
  EXPECT_EQ(f.device.reads, 0u);
}

TEST(BlockClient, ForgedStaleAndOddResponsesAreCaught) {
  Fixture f(4);
  f.device.publish();
  BlockResult r{};
  f.h.pd().spawn_detached([](Fixture& f, BlockResult& r) -> Task<void> {
    r = co_await f.client.read(0, 2, f.buffer(0));
  }(f, r));
  f.h.start();
  f.device.take();
  ASSERT_EQ(f.device.pending.size(), 1u);
  const uint32_t id = f.device.pending[0].id;
  auto& end = f.device.end();
  end.responses.push(blk_resp{BLK_RESP_OK, 2, id ^ 0x100});  // another generation
  end.responses.push(blk_resp{BLK_RESP_OK, 2, 3});            // a slot not in use
  end.responses.push(blk_resp{77, 9, id});                    // unknown status, count too large
  end.responses.push(blk_resp{BLK_RESP_OK, 2, id});           // a duplicate
  end.responses.publish();
  f.device.pending.clear();
  f.h.deliver(kCh);
  EXPECT_EQ(r.status, BLK_RESP_ERR_UNSPEC);
  EXPECT_EQ(r.success_count, 2) << "clamped to the request's count";
  EXPECT_EQ(f.client.counters().bad_responses, 3u);
}

TEST(BlockClient, ACancelledRequestIsOrphanedNotReused) {
  Fixture f(2);
  f.device.publish();
  exec::JoinHandle<void> handle = f.h.pd().spawn([](Fixture& f) -> Task<void> {
    (void)co_await f.client.read(0, 1, f.buffer(0));
  }(f));
  f.h.start();
  f.device.take();
  ASSERT_EQ(f.device.pending.size(), 1u);
  handle.cancel();
  f.h.run_until_idle();
  f.device.complete_all();
  f.h.deliver(kCh);
  EXPECT_EQ(f.client.counters().orphaned, 1u);
  EXPECT_EQ(f.client.in_flight(), 0u);
}

TEST(BlockClient, FlushAndBarrierCarryNoRange) {
  Fixture f;
  f.device.publish();
  BlockResult a{}, b{};
  f.h.pd().spawn_detached([](Fixture& f, BlockResult& a, BlockResult& b) -> Task<void> {
    a = co_await f.client.flush();
    b = co_await f.client.barrier();
  }(f, a, b));
  f.h.start();
  f.device.take();
  ASSERT_EQ(f.device.pending.size(), 1u);
  EXPECT_EQ(f.device.pending[0].code, BLK_REQ_FLUSH);
  EXPECT_EQ(f.device.pending[0].count, 0);
  EXPECT_EQ(f.device.pending[0].io_or_offset, 0u);
  pump(f.h, f.device, kCh);
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(f.device.flushes, 1u);
}

TEST(BlockClient, MisconfiguredClientFailsRequestsWithNoDevice) {
  PdHarness h;
  BlockClient client(h.pd(), exec::BlockClientConfig{});
  EXPECT_FALSE(client.valid());
  BlockResult r{};
  h.pd().spawn_detached([](BlockClient& c, BlockResult& r) -> Task<void> { r = co_await c.flush(); }(client, r));
  h.start();
  EXPECT_EQ(r.status, BLK_RESP_ERR_NO_DEVICE);
}

// A client attached straight to a driver sends I/O addresses: the data region's plus the offset.
TEST(BlockClient, IoBaseIsAddedToEveryTransferAddress) {
  Fixture f(8, 256, /*io_base=*/0x4000'0000);
  f.device.publish();
  f.h.pd().spawn_detached([](Fixture& f) -> Task<void> {
    (void)co_await f.client.read(5, 2, f.buffer(3));
  }(f));
  f.h.pd().spawn_detached([](Fixture& f) -> Task<void> { (void)co_await f.client.flush(); }(f));
  f.h.start();
  ASSERT_EQ(f.device.take(), 2u);
  EXPECT_EQ(f.device.pending[0].io_or_offset, 0x4000'0000u + 3 * 4096);
  EXPECT_EQ(f.device.pending[0].block_number, 5u);
  EXPECT_EQ(f.device.pending[1].io_or_offset, 0u) << "a FLUSH carries no address";
  f.device.complete_all();  // no task may still wait when the fixture goes
  f.h.deliver(kCh);
  EXPECT_EQ(f.client.in_flight(), 0u);
}

// With a poll window and requests in flight, the client's turns keep polling: a response is taken
// without the server's notification, and polling ends when nothing is in flight or the window
// passes without progress.
TEST(BlockClient, PollsForResponsesWhileRequestsAreInFlight) {
  // 5 µs of the fake clock, read every kTurnsPerClock turns without progress: about 80 turns.
  constexpr uint64_t kWindow = 5'000;
  Fixture f(8, 256, 0, kWindow);
  f.device.publish();
  f.h.deliver(kCh);
  EXPECT_EQ(f.client.counters().polled_turns, 0u) << "nothing in flight: no polling";
  BlockResult result{99, 0};
  bool done = false;
  f.h.pd().spawn_detached([](Fixture& f, BlockResult& out, bool& done) -> Task<void> {
    out = co_await f.client.read(1, 1, f.buffer(0));
    done = true;
  }(f, result, done));
  EXPECT_EQ(f.h.run_until_idle(5), 5u) << "a request in flight: still polling";
  ASSERT_EQ(f.device.take(), 1u);
  f.device.complete(0);  // published, not notified
  f.h.run_until_idle();
  EXPECT_TRUE(done);
  EXPECT_TRUE(result.ok());
  const uint64_t polled = f.client.counters().polled_turns;
  EXPECT_GE(polled, 5u);
  // The server never answers: polling stops when the window passes without progress.
  f.h.pd().spawn_detached([](Fixture& f) -> Task<void> { (void)co_await f.client.read(2, 1, f.buffer(1)); }(f));
  // The window starts at the first idle clock reading (up to kTurnsPerClock turns after the request).
  const size_t turns = f.h.run_until_idle();
  EXPECT_GE(turns, 4 * exec::PollWindow::kTurnsPerClock);
  EXPECT_LE(turns, 7 * exec::PollWindow::kTurnsPerClock);
  EXPECT_EQ(f.client.in_flight(), 1u);
  pump(f.h, f.device, kCh);  // no task may still wait when the fixture goes
  EXPECT_EQ(f.client.in_flight(), 0u);
}

TEST(BlockClient, WithoutAPollWindowResponsesWaitForTheNotification) {
  Fixture f;
  f.device.publish();
  f.h.deliver(kCh);
  bool done = false;
  f.h.pd().spawn_detached([](Fixture& f, bool& done) -> Task<void> {
    (void)co_await f.client.read(1, 1, f.buffer(0));
    done = true;
  }(f, done));
  EXPECT_LT(f.h.run_until_idle(), 5u);
  ASSERT_EQ(f.device.take(), 1u);
  f.device.complete(0);
  f.h.run_until_idle();
  EXPECT_FALSE(done);
  f.h.deliver(kCh);
  EXPECT_TRUE(done);
  EXPECT_EQ(f.client.counters().polled_turns, 0u);
}

}  // namespace
}  // namespace corokit::testing
