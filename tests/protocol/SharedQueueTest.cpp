// The shared-queue views over the sDDF layouts: wrap-around, exact full/empty, hostile indices,
// and the notification-suppression protocol.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "sdk/protocol/Queues.h"
#include "sdk/protocol/Serial.h"

extern "C" size_t corokit_c_layout[];

namespace corokit::protocol {
namespace {

TEST(ProtocolLayout, CAndCppAgree) {
  const size_t expected[] = {
      sizeof(blk_req),          offsetof(blk_req, id),       sizeof(blk_resp), offsetof(blk_resp, id),
      offsetof(blk_req_queue, slots), offsetof(blk_resp_queue, slots), sizeof(blk_storage_info),
      offsetof(blk_storage_info, capacity), sizeof(net_buff_desc), offsetof(net_queue, slots),
      sizeof(serial_queue),
  };
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
    EXPECT_EQ(corokit_c_layout[i], expected[i]) << "entry " << i;
  }
  EXPECT_EQ(NET_QUEUE_BYTES(512), 8u + 16u * 512);
  EXPECT_EQ(BLK_REQ_QUEUE_BYTES(128), 16u + 32u * 128);
}

// A queue region in ordinary memory, zero-filled like a fresh memfd.
template <typename Header, typename Slot>
struct Storage {
  explicit Storage(size_t capacity) : bytes(sizeof(Header) + capacity * sizeof(Slot) + 64, 0) {}
  Header* header() { return reinterpret_cast<Header*>(bytes.data()); }
  std::vector<uint64_t> bytes;
};

template <typename Index, typename Slot, typename Header, typename Make, typename Fill, typename Check>
void wrap_test(Index start, Index capacity, Make make, Fill fill, Check check) {
  Storage<Header, Slot> s(capacity);
  s.header()->head = start;
  s.header()->tail = start;
  QueueProducer<Slot, Index> p(make(s.header(), capacity));
  QueueConsumer<Slot, Index> c(make(s.header(), capacity));
  uint64_t next_in = 0, next_out = 0;
  for (uint64_t round = 0; round < 1000000u / capacity; ++round) {
    // Fill exactly to capacity, then one more must fail.
    while (p.push(fill(next_in))) ++next_in;
    ASSERT_EQ(next_in - next_out, capacity);
    ASSERT_EQ(p.space(), 0u);
    p.publish();
    ASSERT_EQ(c.available(), capacity);
    // Drain a varying amount, exercising partial batches across the wrap.
    size_t take = 1 + (round * 7) % capacity;
    Slot slot;
    for (size_t i = 0; i < take; ++i) {
      ASSERT_TRUE(c.pop(slot));
      ASSERT_TRUE(check(slot, next_out++));
    }
    c.commit();
    ASSERT_EQ(p.space(), take);
  }
  Slot slot;
  while (c.pop(slot)) ASSERT_TRUE(check(slot, next_out++));
  c.commit();
  EXPECT_EQ(next_in, next_out);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(p.violations() + c.violations(), 0u);
}

TEST(SharedQueue, NetIndicesWrapExactly) {
  wrap_test<uint16_t, net_buff_desc, net_queue>(
      65530, 512, [](net_queue* q, uint16_t cap) { return net_queue_region(q, cap); },
      [](uint64_t n) { return net_buff_desc{n * 2048, static_cast<uint16_t>(n % 2048), 0}; },
      [](const net_buff_desc& d, uint64_t n) { return d.io_or_offset == n * 2048 && d.len == n % 2048; });
}

TEST(SharedQueue, BlockIndicesWrapExactly) {
  wrap_test<uint32_t, blk_req, blk_req_queue>(
      UINT32_MAX - 5, 128, [](blk_req_queue* q, uint32_t cap) { return block_requests(q, cap); },
      [](uint64_t n) { return blk_req{BLK_REQ_READ, n * 4096, n, 1, static_cast<uint32_t>(n)}; },
      [](const blk_req& r, uint64_t n) { return r.block_number == n && r.id == static_cast<uint32_t>(n); });
  wrap_test<uint32_t, blk_resp, blk_resp_queue>(
      UINT32_MAX - 100, 64, [](blk_resp_queue* q, uint32_t cap) { return block_responses(q, cap); },
      [](uint64_t n) { return blk_resp{BLK_RESP_OK, 1, static_cast<uint32_t>(n)}; },
      [](const blk_resp& r, uint64_t n) { return r.id == static_cast<uint32_t>(n); });
}

TEST(SharedQueue, HostileTailIsAViolationNotAnOverread) {
  Storage<net_queue, net_buff_desc> s(8);
  QueueConsumer<net_buff_desc, uint16_t> c(net_queue_region(s.header(), 8));
  s.header()->tail = 9;  // more than a capacity ahead
  EXPECT_EQ(c.available(), 0u);
  EXPECT_EQ(c.violations(), 1u);
  s.header()->tail = 3;  // a legal tail is accepted afterwards
  EXPECT_EQ(c.available(), 3u);
  net_buff_desc d;
  EXPECT_TRUE(c.pop(d));
  s.header()->tail = 1;  // moved backwards
  EXPECT_EQ(c.available(), 2u);  // the slots already seen stay available; nothing new
  EXPECT_EQ(c.violations(), 2u);
}

TEST(SharedQueue, HostileHeadIsAViolationNotAnOverwrite) {
  Storage<blk_resp_queue, blk_resp> s(4);
  QueueProducer<blk_resp, uint32_t> p(block_responses(s.header(), 4));
  for (uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(p.push(blk_resp{0, 0, i}));
  p.publish();
  s.header()->head = 100;  // past the tail: would let the producer overwrite unread slots
  EXPECT_FALSE(p.push(blk_resp{0, 0, 9}));
  EXPECT_EQ(p.violations(), 1u);
  s.header()->head = 2;
  EXPECT_EQ(p.space(), 2u);
}

TEST(SharedQueue, AdoptionRejoinsALiveQueue) {
  Storage<net_queue, net_buff_desc> s(16);
  QueueProducer<net_buff_desc, uint16_t> p(net_queue_region(s.header(), 16));
  for (int i = 0; i < 5; ++i) p.push(net_buff_desc{uint64_t(i), 0, 0});
  p.publish();
  // A restarted producer adopts the published tail: it neither loses nor duplicates slots.
  QueueProducer<net_buff_desc, uint16_t> restarted(net_queue_region(s.header(), 16));
  EXPECT_EQ(restarted.space(), 11u);
  QueueConsumer<net_buff_desc, uint16_t> c(net_queue_region(s.header(), 16));
  EXPECT_EQ(c.available(), 5u);
}

// The §1.4 protocol between two threads: the consumer sleeps only after announcing it, the producer
// notifies only when announced; every item arrives and no wake-up is lost (a lost one would hang
// the consumer, caught by the timeout of the wait below).
TEST(SharedQueue, SignalSuppressionLosesNoWakeUp) {
  constexpr uint16_t kCap = 64;
  constexpr uint64_t kItems = 2'000'000;
  Storage<net_queue, net_buff_desc> s(kCap);
  std::atomic<uint32_t> doorbell{0};
  std::atomic<uint64_t> notifications{0};
  std::thread consumer([&] {
    QueueConsumer<net_buff_desc, uint16_t> c(net_queue_region(s.header(), kCap));
    uint64_t expect = 0;
    while (expect < kItems) {
      net_buff_desc d;
      while (c.pop(d)) {
        ASSERT_EQ(d.io_or_offset, expect);
        ++expect;
      }
      c.commit();
      if (expect == kItems) break;
      uint32_t bell = doorbell.load();
      if (waiter_should_continue(s.header()->consumer_signalled, [&] { return !c.empty(); })) continue;
      // Sleep until notified (bounded, so a lost wake-up fails instead of hanging).
      for (int spins = 0; doorbell.load() == bell; ++spins) {
        ASSERT_LT(spins, 50'000'000) << "lost wake-up at item " << expect;
        std::this_thread::yield();
      }
    }
  });
  QueueProducer<net_buff_desc, uint16_t> p(net_queue_region(s.header(), kCap));
  for (uint64_t i = 0; i < kItems;) {
    while (i < kItems && p.push(net_buff_desc{i, 0, 0})) ++i;
    if (p.publish() && notifier_must_signal(s.header()->consumer_signalled)) {
      notifications.fetch_add(1);
      doorbell.fetch_add(1);
    }
    while (p.full()) std::this_thread::yield();
  }
  consumer.join();
  EXPECT_LT(notifications.load(), kItems / 4);  // suppression works: far fewer than one per item
}

// Producer and consumer in two processes over a MAP_SHARED region, as PDs are.
TEST(SharedQueue, AcrossProcesses) {
  constexpr uint32_t kCap = 256;
  constexpr uint64_t kItems = 5'000'000;
  size_t bytes = BLK_RESP_QUEUE_BYTES(kCap);
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* q = static_cast<blk_resp_queue*>(mem);
  pid_t child = ::fork();
  if (child == 0) {
    QueueProducer<blk_resp, uint32_t> p(block_responses(q, kCap));
    for (uint64_t i = 0; i < kItems;) {
      while (i < kItems && p.push(blk_resp{0, 0, static_cast<uint32_t>(i)})) ++i;
      p.publish();
    }
    ::_exit(0);
  }
  QueueConsumer<blk_resp, uint32_t> c(block_responses(q, kCap));
  uint64_t expect = 0;
  while (expect < kItems) {
    blk_resp r;
    while (c.pop(r)) {
      ASSERT_EQ(r.id, static_cast<uint32_t>(expect));
      ++expect;
    }
    c.commit();
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::munmap(mem, bytes);
}

}  // namespace
}  // namespace corokit::protocol
