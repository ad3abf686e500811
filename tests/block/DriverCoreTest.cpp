// The block driver's request logic over the volatile-write-cache model (PROTOCOLS.md §3.3, §3.8):
// out-of-order completion matched by id, success_count on an injected EIO, short transfers,
// BARRIER ordering, FLUSH durability across a simulated power cut, the in-flight limit, and
// rejection of invalid requests.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <set>

#include "executor/host/PdHarness.h"
#include "pds/block/DriverCore.h"
#include "pds/block/DriverOptions.h"
#include "tests/block/CacheModelBackend.h"
#include "tests/block/QueueMemory.h"

namespace corokit::testing {
namespace {

using block::DmaView;
using block::DriverConfig;
using block::DriverCore;
using exec::PdHarness;

constexpr exec::ChannelId kVirt = 1;
constexpr exec::ChannelId kIrq = 0;
constexpr uint64_t kIo = 0x4000'0000;  // I/O address of the DMA window
constexpr uint64_t kDiskBlocks = 256;

// A clock for the poll window: every reading is 1 µs after the previous one.
uint64_t g_fake_ns = 0;
uint64_t fake_clock() noexcept { return g_fake_ns += 1000; }

struct Driver {
  explicit Driver(uint32_t capacity = 64, bool read_only = false, uint32_t depth = 256, uint64_t poll_ns = 0)
      : queues(capacity, 256 * 4096), model(kDiskBlocks * 4096, depth), virt(queues.client(capacity)) {
    dma.add(kIo, queues.data.size(), queues.data.data());
    DriverConfig config;
    config.capacity = kDiskBlocks;
    config.read_only = read_only;
    config.virt_channel = kVirt;
    config.irq_channel = kIrq;
    config.poll_ns = poll_ns;
    config.clock_ns = fake_clock;
    g_fake_ns = 1'000'000'000;
    core = std::make_unique<DriverCore>(h.pd(), model, dma, queues.server(capacity), capacity, config);
    core->start();
    h.start();
  }

  // The virtualiser publishes requests and notifies.
  void send(std::initializer_list<blk_req> requests) {
    for (const blk_req& r : requests) EXPECT_TRUE(virt.requests.push(r));
    virt.requests.publish();
    h.deliver(kVirt);
  }
  // The device finished operations: the IRQ.
  void irq() { h.deliver(kIrq); }
  std::vector<blk_resp> responses() {
    std::vector<blk_resp> out;
    for (blk_resp r; virt.responses.pop(r);) out.push_back(r);
    virt.responses.commit();
    return out;
  }
  uint8_t* data(uint64_t block) { return queues.data.data() + block * 4096; }

  // The core outlives the harness: destroying the harness destroys the tasks waiting on the core.
  std::unique_ptr<DriverCore> core;
  QueuePair queues;
  CacheModelBackend model;
  DmaView dma;
  PdHarness h;
  protocol::BlockClientEnd virt;
};

blk_req read(uint64_t block, uint16_t count, uint64_t slot, uint32_t id) {
  return blk_req{BLK_REQ_READ, kIo + slot * 4096, block, count, id};
}
blk_req write(uint64_t block, uint16_t count, uint64_t slot, uint32_t id) {
  return blk_req{BLK_REQ_WRITE, kIo + slot * 4096, block, count, id};
}
blk_req flush(uint32_t id) { return blk_req{BLK_REQ_FLUSH, 0, 0, 0, id}; }
blk_req barrier(uint32_t id) { return blk_req{BLK_REQ_BARRIER, 0, 0, 0, id}; }

TEST(DriverCore, WriteThenReadRoundTrip) {
  Driver d;
  std::memset(d.data(0), 0xAB, 2 * 4096);
  d.send({write(10, 2, 0, 7)});
  ASSERT_EQ(d.model.submitted_count(), 1u);
  d.model.finish_all();
  d.irq();
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 7u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(r[0].success_count, 2);
  d.send({read(10, 2, 4, 8)});
  d.model.finish_all();
  d.irq();
  r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 8u);
  EXPECT_EQ(d.data(4)[0], 0xAB);
  EXPECT_EQ(d.data(5)[4095], 0xAB);
}

TEST(DriverCore, CompletionsOutOfOrderAreMatchedById) {
  Driver d;
  for (uint64_t b = 0; b < 32; ++b) std::memset(d.model.cache().data() + b * 4096, static_cast<int>(b + 1), 4096);
  for (uint32_t i = 0; i < 32; ++i) d.virt.requests.push(read(i, 1, i, 1000 + i));
  d.virt.requests.publish();
  d.h.deliver(kVirt);
  ASSERT_EQ(d.model.submitted_count(), 32u) << "all requests are in flight together";
  std::mt19937_64 rng(7);
  std::vector<uint32_t> order;
  while (d.model.submitted_count() != 0) {
    d.model.finish_random(rng);
    d.irq();
    for (const blk_resp& r : d.responses()) {
      EXPECT_EQ(r.status, BLK_RESP_OK);
      order.push_back(r.id);
      const uint32_t i = r.id - 1000;
      EXPECT_EQ(d.data(i)[0], i + 1) << "response " << r.id << " carries its own data";
    }
  }
  ASSERT_EQ(order.size(), 32u);
  EXPECT_EQ(std::set<uint32_t>(order.begin(), order.end()).size(), 32u);
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end())) << "the completion order was the device's";
}

TEST(DriverCore, InjectedEioGivesTheUnitsTransferredBeforeIt) {
  Driver d(64, false);
  // A failure at unit 67 of 128 (1-based) gives success_count = 66.
  d.model.fail_at(66 * 4096);
  d.send({read(0, 128, 0, 5)});
  d.model.finish_all();  // a short transfer of 66 units
  d.irq();
  ASSERT_EQ(d.model.submitted_count(), 1u) << "the driver continues where the short transfer stopped";
  EXPECT_EQ(d.model.submitted(0).offset, 66u * 4096);
  d.model.finish_all();  // now the error
  d.irq();
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_ERR_IO);
  EXPECT_EQ(r[0].success_count, 66);
  EXPECT_EQ(d.core->counters().io_errors, 1u);
}

TEST(DriverCore, BarrierOrdersWhatCameBeforeAndAfter) {
  Driver d;
  d.send({read(1, 1, 0, 1), write(2, 1, 1, 2), barrier(3), read(3, 1, 2, 4)});
  ASSERT_EQ(d.model.submitted_count(), 2u) << "the request after the barrier does not start";
  d.model.finish(1);
  d.irq();
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 2u);
  EXPECT_EQ(d.model.submitted_count(), 1u);
  d.model.finish_all();
  d.irq();
  r = d.responses();
  ASSERT_EQ(r.size(), 2u) << "the last earlier request, then the barrier";
  EXPECT_EQ(r[0].id, 1u);
  EXPECT_EQ(r[1].id, 3u);
  EXPECT_EQ(r[1].status, BLK_RESP_OK);
  ASSERT_EQ(d.model.submitted_count(), 1u) << "now the later request starts";
  EXPECT_EQ(d.model.submitted(0).offset, 3u * 4096);
  d.model.finish_all();
  d.irq();
  r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 4u);
}

TEST(DriverCore, BarrierWithNothingBeforeItIsAnsweredAtOnce) {
  Driver d;
  d.send({barrier(9)});
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 9u);
  EXPECT_EQ(d.core->in_flight(), 0u);
}

TEST(DriverCore, WriteCompletingDuringAFlushIsAnsweredAfterIt) {
  Driver d;
  d.send({write(1, 1, 0, 1), flush(2)});
  ASSERT_EQ(d.model.submitted_count(), 2u);
  EXPECT_EQ(d.model.submitted(1).kind, block::IoKind::Flush);
  d.model.finish(0);  // the write completes while the flush is in flight: the flush may not cover it
  d.irq();
  EXPECT_TRUE(d.responses().empty()) << "the write's OK is held back";
  d.model.finish(0);  // the flush
  d.irq();
  auto r = d.responses();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, 2u) << "the flush first";
  EXPECT_EQ(r[1].id, 1u);
  EXPECT_EQ(d.core->counters().held_writes, 1u);
}

// The durability rule, checked against the model across many random schedules: when a FLUSH is
// answered OK, every WRITE answered OK before it is on the medium after a power cut.
// Odd rounds with a backend that also does transfers in place (reads at once, a write alone).
TEST(DriverCore, FlushDurabilityAcrossSimulatedPowerCuts) {
  std::mt19937_64 rng(2024);
  uint64_t done_now = 0;
  for (int round = 0; round < 200; ++round) {
    Driver d(32);
    d.model.set_synchronous(round % 2 == 1);
    // Each write puts (write number) into its block; blocks are distinct so the medium shows
    // exactly which writes survived.
    uint32_t next_id = 1;
    std::map<uint32_t, uint64_t> write_block;       // id → block
    std::vector<uint32_t> acknowledged;             // write ids answered OK, in order
    std::vector<std::vector<uint32_t>> promised;    // per OK flush: the writes answered before it
    const int ops = 40;
    uint64_t block = 0;
    for (int i = 0; i < ops; ++i) {
      if (d.core->in_flight() >= 30) {
        // the queue is as deep as the driver may go: only let the device work
      } else if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        d.send({flush(next_id++)});
      } else if (block < kDiskBlocks) {
        const uint32_t id = next_id++;
        const uint64_t slot = id % 200;
        std::memset(d.data(slot), 0, 4096);
        std::memcpy(d.data(slot), &id, sizeof id);
        write_block[id] = block;
        d.send({write(block++, 1, slot, id)});
      }
      // Let the device finish a random number of operations, in random order.
      for (int k = std::uniform_int_distribution<int>(0, 3)(rng); k > 0 && d.model.submitted_count() != 0; --k) {
        d.model.finish_random(rng);
      }
      d.irq();
      for (const blk_resp& r : d.responses()) {
        ASSERT_EQ(r.status, BLK_RESP_OK);
        if (write_block.count(r.id)) {
          acknowledged.push_back(r.id);
        } else {
          promised.push_back(acknowledged);
        }
      }
    }
    done_now += d.model.done_now();
    d.model.power_cut();
    for (const auto& writes : promised) {
      for (uint32_t id : writes) {
        uint32_t on_medium = 0;
        std::memcpy(&on_medium, d.model.medium().data() + write_block[id] * 4096, sizeof on_medium);
        ASSERT_EQ(on_medium, id) << "round " << round << ": write " << id << " was answered before an OK flush but is lost";
      }
    }
  }
  EXPECT_GT(done_now, 100u) << "the synchronous rounds did writes in place";
}

TEST(DriverCore, ReadsAtHandAndLoneWritesAreDoneInPlace) {
  Driver d;
  d.model.set_synchronous(true);
  std::memset(d.model.cache().data() + 3 * 4096, 0x5C, 4096);
  d.send({read(3, 1, 0, 1)});
  EXPECT_EQ(d.model.submissions(), 0u) << "a read at hand needs no device operation";
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(d.data(0)[4095], 0x5C);

  std::memset(d.data(1), 0x6D, 4096);
  d.send({write(4, 1, 1, 2)});
  EXPECT_EQ(d.model.submissions(), 0u) << "a write alone is done in place";
  r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 2u);
  EXPECT_EQ(d.model.cache()[4 * 4096], 0x6D);

  // Two writes at once: the driver would block for one while the other waits, so both go to the
  // device. A FLUSH always does.
  d.send({write(5, 1, 1, 3), write(6, 1, 1, 4), flush(5)});
  EXPECT_EQ(d.model.submitted_count(), 3u);
  d.model.finish_all();
  d.irq();
  EXPECT_EQ(d.responses().size(), 3u);

  // A read larger than DriverCore::kReadNowBytes goes to the device (which copies it faster).
  constexpr uint16_t kLarge = DriverCore::kReadNowBytes / 4096 + 1;
  d.send({read(8, kLarge, 0, 6)});
  EXPECT_EQ(d.model.submitted_count(), 1u);
  d.model.finish_all();
  d.irq();
  r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].success_count, kLarge);
}

TEST(DriverCore, InvalidRequestsAreRejectedAndTheRestServed) {
  Driver d(64, /*read_only=*/true);
  d.send({
      blk_req{7, kIo, 0, 1, 1},                          // unknown code
      read(0, 0, 0, 2),                                  // count 0
      read(kDiskBlocks - 1, 2, 0, 3),                    // past the device
      read(~uint64_t{0}, 2, 0, 4),                       // wraps
      blk_req{BLK_REQ_READ, kIo + 100, 0, 1, 5},         // unaligned
      blk_req{BLK_REQ_READ, kIo - 4096, 0, 1, 6},        // before the DMA window
      blk_req{BLK_REQ_READ, kIo + 255 * 4096, 0, 2, 7},  // runs past its end
      write(0, 1, 0, 8),                                 // a read-only device
      read(5, 1, 0, 9),                                  // fine
  });
  d.model.finish_all();
  d.irq();
  auto r = d.responses();
  ASSERT_EQ(r.size(), 9u);
  for (const blk_resp& x : r) {
    EXPECT_EQ(x.status, x.id == 9 ? BLK_RESP_OK : BLK_RESP_ERR_INVALID_PARAM) << "id " << x.id;
  }
  EXPECT_EQ(d.core->counters().invalid, 8u);
}

TEST(DriverCore, NoMoreInFlightThanResponseSlots) {
  Driver d(8);
  for (uint32_t i = 0; i < 8; ++i) d.virt.requests.push(read(i, 1, i, i));
  d.virt.requests.publish();
  d.h.deliver(kVirt);
  d.model.finish_all();
  d.irq();
  // The virtualiser does not take the 8 responses: the response queue is full.
  for (uint32_t i = 0; i < 8; ++i) d.virt.requests.push(read(i, 1, i, 100 + i));
  d.virt.requests.publish();
  d.h.deliver(kVirt);
  EXPECT_EQ(d.model.submitted_count(), 0u) << "no request is taken without a response slot for it";
  EXPECT_EQ(d.core->in_flight(), 0u);
  EXPECT_EQ(d.responses().size(), 8u);
  d.h.deliver(kVirt);
  EXPECT_EQ(d.model.submitted_count(), 8u);
  d.model.finish_all();
  d.irq();
  EXPECT_EQ(d.responses().size(), 8u);
}

TEST(DriverCore, InFlightIsBoundedByTheDevice) {
  Driver d(64, false, /*depth=*/4);
  for (uint32_t i = 0; i < 20; ++i) d.virt.requests.push(read(i, 1, i, i));
  d.virt.requests.publish();
  d.h.deliver(kVirt);
  EXPECT_EQ(d.model.submitted_count(), 4u);
  size_t answered = 0;
  while (answered < 20) {
    d.model.finish_all();
    d.irq();
    answered += d.responses().size();
    EXPECT_LE(d.core->in_flight(), 4u);
  }
  EXPECT_EQ(d.core->counters().peak_in_flight, 4u);
}

TEST(DriverCore, AcknowledgesTheIrqOnlyWhileOperationsAreInFlight) {
  Driver d;
  d.h.clear_sent();
  d.send({read(1, 1, 0, 1)});
  // The operation is in flight after submission (the model does not complete inline): the IRQ is
  // armed already since start-up; no ack needed.
  EXPECT_EQ(d.h.sent_count(PdHarness::Sent::IrqAck, kIrq), 0u);
  d.model.finish_all();
  d.irq();  // the board masks the IRQ when it fires
  d.h.clear_sent();
  d.send({read(2, 1, 0, 2)});
  EXPECT_EQ(d.h.sent_count(PdHarness::Sent::IrqAck, kIrq), 1u) << "in flight while masked: acknowledge";
  d.model.finish_all();
  d.irq();
  d.h.clear_sent();
  d.irq();  // a spurious IRQ with nothing in flight
  EXPECT_EQ(d.h.sent_count(PdHarness::Sent::IrqAck, kIrq), 0u) << "nothing in flight: stays masked";
}

TEST(DriverCore, WithoutADeviceEveryRequestGetsNoDevice) {
  std::unique_ptr<DriverCore> core;
  PdHarness h;
  QueuePair q(8);
  CacheModelBackend model(4096);
  DmaView dma;
  DriverConfig config;
  config.no_device = true;
  config.virt_channel = kVirt;
  config.has_irq = false;
  core = std::make_unique<DriverCore>(h.pd(), model, dma, q.server(8), 8, config);
  core->start();
  h.start();
  auto virt = q.client(8);
  virt.requests.push(read(0, 1, 0, 1));
  virt.requests.push(flush(2));
  virt.requests.push(barrier(3));
  virt.requests.publish();
  h.deliver(kVirt);
  int n = 0;
  for (blk_resp r; virt.responses.pop(r); ++n) EXPECT_EQ(r.status, BLK_RESP_ERR_NO_DEVICE);
  EXPECT_EQ(n, 3);
}

TEST(DriverCore, GarbageInTheRequestQueueNeverCrashesIt) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 50; ++round) {
    Driver d(16);
    auto* q = d.queues.request_queue();
    auto* bytes = reinterpret_cast<uint8_t*>(q);
    for (uint64_t i = 0; i < d.queues.requests.size(); ++i) bytes[i] = static_cast<uint8_t>(rng());
    d.h.deliver(kVirt);
    d.model.finish_all();
    d.irq();
    d.model.finish_all();
    d.irq();
    EXPECT_LE(d.core->in_flight(), 16u);
  }
}

// Completions that finish after the submitter's pass are reaped at the end of any turn, before the
// PD would sleep: they need no IRQ.
TEST(DriverCore, ReapsCompletionsBeforeItWaits) {
  Driver d;
  d.send({read(1, 1, 0, 1)});
  EXPECT_TRUE(d.responses().empty());
  d.model.finish_all();
  d.h.deliver(kVirt);  // any wake-up: here a notification with nothing new in the queue
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
}

// With a poll window the driver keeps its event loop polling after work (a request taken, a
// completion reaped) instead of sleeping, and stops once the window passes without work; it sleeps
// at once while an operation runs elsewhere (its completion raises the IRQ, and whatever completes
// it may need the CPU). At the end of a turn it takes requests nobody notified it of.
TEST(DriverCore, PollsForTheWindowAfterTheLastWork) {
  // 5 µs of the fake clock, read every kTurnsPerClock turns without work: about 80 turns.
  constexpr uint64_t kWindow = 5'000;
  Driver d(64, false, 256, kWindow);
  EXPECT_EQ(d.h.run_until_idle(), 1u) << "no work yet: no polling";
  d.send({read(1, 1, 0, 1)});
  EXPECT_EQ(d.core->counters().polled_turns, 0u) << "an operation in flight: sleep until the IRQ";
  d.model.finish_all();
  d.irq();
  ASSERT_EQ(d.responses().size(), 1u);
  const uint64_t polled = d.core->counters().polled_turns;
  EXPECT_GE(polled, 4 * exec::PollWindow::kTurnsPerClock);
  EXPECT_LE(polled, 6 * exec::PollWindow::kTurnsPerClock) << "polling ends when the window passes without work";
  // A request published without a notification, and its completion without an IRQ.
  ASSERT_TRUE(d.virt.requests.push(read(2, 1, 1, 2)));
  d.virt.requests.publish();
  d.h.run_until_idle();
  EXPECT_EQ(d.model.submitted_count(), 1u);
  d.model.finish_all();
  d.h.run_until_idle();
  auto r = d.responses();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 2u);
  EXPECT_GT(d.core->counters().polled_turns, polled);
}

TEST(DriverCore, WithoutAPollWindowItSleepsAtOnce) {
  Driver d;
  d.send({read(1, 1, 0, 1)});
  EXPECT_EQ(d.core->counters().polled_turns, 0u);
  ASSERT_TRUE(d.virt.requests.push(read(2, 1, 1, 2)));
  d.virt.requests.publish();
  d.h.run_until_idle();
  EXPECT_EQ(d.model.submitted_count(), 1u) << "a request without a notification waits for it";
}

TEST(DriverOptions, ParsesThePollWindow) {
  block::DriverOptions o;
  const char text[] = "# options\n\n  poll-us 250   # comment\n";
  const block::ConfigError e = block::parse_driver_options(text, sizeof text - 1, o);
  EXPECT_EQ(e.what, nullptr);
  EXPECT_EQ(o.poll_us, 250u);
  EXPECT_FALSE(o.read_mapped);
  const char mapped[] = "read-mapped\npoll-us 5\n";
  EXPECT_EQ(block::parse_driver_options(mapped, sizeof mapped - 1, o).what, nullptr);
  EXPECT_TRUE(o.read_mapped);
  EXPECT_EQ(o.poll_us, 5u);
}

TEST(DriverOptions, RejectsWhatItDoesNotKnow) {
  struct Case {
    const char* text;
    uint32_t line;
  } cases[] = {{"poll-us\n", 1}, {"poll-us 12x\n", 1}, {"poll-us 1 2\n", 1}, {"\nspin 5\n", 2},
               {"poll-us 100001\n", 1}, {"poll-us 99999999999999\n", 1}, {"read-mapped yes\n", 1}};
  for (const Case& c : cases) {
    block::DriverOptions o;
    const block::ConfigError e = block::parse_driver_options(c.text, std::strlen(c.text), o);
    EXPECT_NE(e.what, nullptr) << c.text;
    EXPECT_EQ(e.line, c.line) << c.text;
    EXPECT_EQ(o.poll_us, 0u) << c.text;
  }
}

}  // namespace
}  // namespace corokit::testing
