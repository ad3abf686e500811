// The block virtualiser's request handling (PROTOCOLS.md §3.4–§3.7, §1.5): translation into the
// partition and the data region's I/O address, bounds, per-client in-flight limits, BARRIER per
// client, FLUSH forwarding, response order, fairness, and hostile clients and drivers.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

#include "pds/block/VirtCore.h"
#include "tests/block/QueueMemory.h"

namespace corokit::testing {
namespace {

using block::ClientGeometry;
using block::Misbehaviour;
using block::PollResult;
using block::VirtCore;

constexpr uint64_t kDataBytes = 16 * 4096;

struct Stack {
  // Two clients by default: client 0 on blocks [100, 200), client 1 on [200, 250) read-only.
  explicit Stack(uint32_t client_capacity = 8, uint32_t driver_capacity = 16, unsigned clients = 2)
      : driver(driver_capacity), core(std::make_unique<VirtCore>()) {
    auto& info = driver.storage_info();
    info.sector_size = 512;
    info.block_size = 1;
    info.capacity = 1000;
    std::strcpy(info.serial_number, "disk0");
    protocol::publish_storage_info(info);
    EXPECT_TRUE(core->attach_driver({&info, driver.requests.data(), driver.requests.size(), driver.responses.data(),
                                     driver.responses.size()}));
    drv = driver.server(driver_capacity);
    for (unsigned c = 0; c < clients; ++c) {
      queues.push_back(std::make_unique<QueuePair>(client_capacity, kDataBytes));
      QueuePair& q = *queues.back();
      EXPECT_TRUE(core->add_client({&q.storage_info(), q.requests.data(), q.requests.size(), q.responses.data(),
                                    q.responses.size(), kDataBytes, io(c)}));
      ends.push_back(q.client(client_capacity));
    }
    if (clients > 0) core->start_client(0, ClientGeometry{true, 100, 100, false}, "disk0-p0");
    if (clients > 1) core->start_client(1, ClientGeometry{true, 200, 50, true}, "disk0-p1");
  }
  static uint64_t io(unsigned c) { return 0x4000'0000 + c * 0x100'0000; }

  void send(unsigned c, std::initializer_list<blk_req> rs) {
    for (const blk_req& r : rs) EXPECT_TRUE(ends[c].requests.push(r));
    ends[c].requests.publish();
  }
  PollResult poll() { return core->poll(); }
  // What reached the driver.
  std::vector<blk_req> driver_requests() {
    std::vector<blk_req> out;
    for (blk_req r; drv.requests.pop(r);) out.push_back(r);
    drv.requests.commit();
    return out;
  }
  void answer(const blk_req& r, uint32_t status = BLK_RESP_OK, uint16_t success = 0) {
    EXPECT_TRUE(drv.responses.push(blk_resp{status, status == BLK_RESP_OK ? r.count : success, r.id}));
    drv.responses.publish();
  }
  std::vector<blk_resp> responses(unsigned c) {
    std::vector<blk_resp> out;
    for (blk_resp r; ends[c].responses.pop(r);) out.push_back(r);
    ends[c].responses.commit();
    return out;
  }

  QueuePair driver;
  protocol::BlockServerEnd drv;
  std::vector<std::unique_ptr<QueuePair>> queues;
  std::vector<protocol::BlockClientEnd> ends;
  std::unique_ptr<VirtCore> core;
};

blk_req rd(uint64_t block, uint16_t count, uint64_t offset, uint32_t id) { return {BLK_REQ_READ, offset, block, count, id}; }
blk_req wr(uint64_t block, uint16_t count, uint64_t offset, uint32_t id) { return {BLK_REQ_WRITE, offset, block, count, id}; }

TEST(VirtCore, ClientStorageInfoIsFilledAndPublished) {
  Stack s;
  const blk_storage_info& a = s.queues[0]->storage_info();
  EXPECT_TRUE(protocol::storage_info_ready(a));
  EXPECT_EQ(a.capacity, 100u);
  EXPECT_EQ(a.sector_size, 512);
  EXPECT_EQ(a.queue_depth, 8);
  EXPECT_EQ(a.read_only, 0);
  EXPECT_STREQ(a.serial_number, "disk0-p0");
  EXPECT_EQ(s.queues[1]->storage_info().read_only, 1);
}

TEST(VirtCore, RequestsAreTranslatedIntoThePartitionAndTheDataRegion) {
  Stack s;
  s.send(0, {rd(3, 2, 8192, 77)});
  PollResult p = s.poll();
  EXPECT_TRUE(p.notify_driver);
  auto d = s.driver_requests();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, BLK_REQ_READ);
  EXPECT_EQ(d[0].block_number, 103u);
  EXPECT_EQ(d[0].io_or_offset, Stack::io(0) + 8192);
  EXPECT_EQ(d[0].count, 2);
  EXPECT_NE(d[0].id, 77u) << "driver ids are the virtualiser's own";
  s.answer(d[0]);
  p = s.poll();
  EXPECT_EQ(p.notify_clients, 1u);
  auto r = s.responses(0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 77u);
  EXPECT_EQ(r[0].status, BLK_RESP_OK);
  EXPECT_EQ(r[0].success_count, 2);
}

TEST(VirtCore, NoClientReachesOutsideItsPartitionOrDataRegion) {
  Stack s(16);
  s.send(0, {
                rd(100, 1, 0, 1),                        // block 100 of a 100-block partition
                rd(99, 2, 0, 2),                         // straddles the end
                rd(~uint64_t{0}, 2, 0, 3),               // wraps
                rd(0, 0, 0, 4),                          // count 0
                rd(0, 1, kDataBytes, 5),                 // offset at the end of the data region
                rd(0, 2, kDataBytes - 4096, 6),          // runs past it
                rd(0, 1, 100, 7),                        // unaligned offset
                rd(0, 1, ~uint64_t{0} - 4095, 8),        // wraps
                blk_req{9, 0, 0, 1, 9},                  // unknown code
            });
  s.send(1, {wr(0, 1, 0, 10)});  // client 1 is read-only
  PollResult p = s.poll();
  EXPECT_FALSE(p.notify_driver);
  EXPECT_TRUE(s.driver_requests().empty());
  auto r0 = s.responses(0);
  ASSERT_EQ(r0.size(), 9u);
  for (const blk_resp& r : r0) EXPECT_EQ(r.status, BLK_RESP_ERR_INVALID_PARAM) << r.id;
  auto r1 = s.responses(1);
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_EQ(r1[0].status, BLK_RESP_ERR_INVALID_PARAM);
  EXPECT_EQ(s.core->client_counters(0).invalid, 9u);
}

TEST(VirtCore, ARequestIsTakenOnlyWithAResponseSlotReservedForIt) {
  Stack s(/*client_capacity=*/4);
  s.send(0, {rd(0, 1, 0, 1), rd(1, 1, 0, 2), rd(2, 1, 0, 3), rd(3, 1, 0, 4)});
  s.poll();
  for (const blk_req& r : s.driver_requests()) s.answer(r);
  s.poll();
  // The client leaves its 4 responses unread: its response queue is full.
  s.send(0, {rd(4, 1, 0, 5), rd(5, 1, 0, 6)});
  s.poll();
  EXPECT_TRUE(s.driver_requests().empty()) << "no slot for a response: the request stays queued";
  EXPECT_EQ(s.core->inflight(0), 0u);
  EXPECT_EQ(s.responses(0).size(), 4u);
  s.poll();
  EXPECT_EQ(s.driver_requests().size(), 2u);
}

TEST(VirtCore, InFlightNeverExceedsTheClientsCapacityEvenWithGarbageIndices) {
  Stack s(4);
  // A client that claims 1000 requests: the index moved more than a capacity.
  auto* q = s.queues[0]->request_queue();
  protocol::store_release(q->tail, 1000u);
  PollResult p = s.poll();
  EXPECT_TRUE(p.newly_quarantined & 1u);
  EXPECT_EQ(s.core->client_counters(0).quarantined, Misbehaviour::RequestIndex);
  EXPECT_TRUE(s.driver_requests().empty());
  // The other client is served as usual.
  s.send(1, {rd(0, 1, 0, 1)});
  s.poll();
  EXPECT_EQ(s.driver_requests().size(), 1u);
}

TEST(VirtCore, BarrierHoldsBackOnlyThatClientsLaterRequests) {
  Stack s;
  s.send(0, {rd(0, 1, 0, 1), blk_req{BLK_REQ_BARRIER, 0, 0, 0, 2}, rd(1, 1, 0, 3)});
  s.send(1, {rd(0, 1, 0, 10)});
  s.poll();
  auto d = s.driver_requests();
  ASSERT_EQ(d.size(), 2u) << "client 0's first read and client 1's read";
  EXPECT_EQ(d[0].block_number + d[1].block_number, 100u + 200u);
  for (const blk_req& r : d) s.answer(r);
  s.poll();
  auto r0 = s.responses(0);
  ASSERT_EQ(r0.size(), 2u);
  EXPECT_EQ(r0[0].id, 1u);
  EXPECT_EQ(r0[1].id, 2u) << "the barrier, once everything before it completed";
  EXPECT_EQ(s.responses(1).size(), 1u);
  s.poll();
  d = s.driver_requests();
  ASSERT_EQ(d.size(), 1u) << "now the request after the barrier";
  EXPECT_EQ(d[0].block_number, 101u);
}

TEST(VirtCore, FlushIsForwardedAsADeviceFlushAndRelayedInDriverOrder) {
  Stack s;
  s.send(0, {wr(0, 1, 0, 1), blk_req{BLK_REQ_FLUSH, 123, 456, 7, 2}, wr(1, 1, 4096, 3)});
  s.poll();
  auto d = s.driver_requests();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[1].code, BLK_REQ_FLUSH);
  EXPECT_EQ(d[1].count, 0) << "the client's fields of a flush are not forwarded";
  EXPECT_EQ(d[1].block_number, 0u);
  // The driver answers out of order: responses reach the client in the driver's order.
  s.answer(d[2]);
  s.answer(d[0]);
  s.answer(d[1]);
  s.poll();
  auto r = s.responses(0);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].id, 3u);
  EXPECT_EQ(r[1].id, 1u);
  EXPECT_EQ(r[2].id, 2u);
  EXPECT_EQ(r[2].success_count, 0);
}

TEST(VirtCore, DriverErrorsReachTheClientWithTheirSuccessCount) {
  Stack s;
  s.send(0, {rd(0, 16, 0, 1)});
  s.poll();
  auto d = s.driver_requests();
  s.answer(d[0], BLK_RESP_ERR_IO, 5);
  s.poll();
  auto r = s.responses(0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_ERR_IO);
  EXPECT_EQ(r[0].success_count, 5);
}

TEST(VirtCore, AFloodingClientDoesNotStarveTheOthers) {
  Stack s(/*client_capacity=*/64, /*driver_capacity=*/256);
  for (int i = 0; i < 64; ++i) s.ends[0].requests.push(rd(0, 1, 0, static_cast<uint32_t>(i)));
  s.ends[0].requests.publish();
  s.send(1, {rd(0, 1, 0, 1000)});
  s.poll();
  auto d = s.driver_requests();
  EXPECT_EQ(d.size(), 65u);
  bool seen = false;
  for (const blk_req& r : d) seen |= r.block_number == 200;
  EXPECT_TRUE(seen);
}

TEST(VirtCore, ClientsShareTheDriverQueueWithoutLosingRequests) {
  Stack s(/*client_capacity=*/8, /*driver_capacity=*/4);
  for (int i = 0; i < 8; ++i) {
    s.ends[0].requests.push(rd(0, 1, 0, static_cast<uint32_t>(i)));
    s.ends[1].requests.push(rd(0, 1, 0, static_cast<uint32_t>(100 + i)));
  }
  s.ends[0].requests.publish();
  s.ends[1].requests.publish();
  size_t answered0 = 0;
  size_t answered1 = 0;
  for (int round = 0; round < 20 && answered0 + answered1 < 16; ++round) {
    s.poll();
    auto d = s.driver_requests();
    EXPECT_LE(d.size(), 4u) << "never more than the driver queue's capacity in flight";
    for (const blk_req& r : d) s.answer(r);
    s.poll();
    answered0 += s.responses(0).size();
    answered1 += s.responses(1).size();
  }
  EXPECT_EQ(answered0, 8u);
  EXPECT_EQ(answered1, 8u);
}

TEST(VirtCore, ClientWithoutAPartitionGetsNoDevice) {
  Stack s(8, 16, 3);
  s.core->start_client(2, ClientGeometry{}, "disk0-none");
  EXPECT_EQ(s.queues[2]->storage_info().capacity, 0u);
  s.send(2, {rd(0, 1, 0, 1), blk_req{BLK_REQ_FLUSH, 0, 0, 0, 2}});
  s.poll();
  EXPECT_TRUE(s.driver_requests().empty());
  auto r = s.responses(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, BLK_RESP_ERR_NO_DEVICE);
  EXPECT_EQ(s.core->client_counters(2).quarantined, Misbehaviour::None);
}

TEST(VirtCore, ManyInvalidRequestsQuarantineTheClient) {
  Stack s(64, 16);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 40; ++i) s.ends[0].requests.push(rd(0, 0, 0, static_cast<uint32_t>(i)));
    s.ends[0].requests.publish();
    s.poll();
    s.responses(0);
  }
  EXPECT_EQ(s.core->client_counters(0).quarantined, Misbehaviour::TooManyErrors);
  s.send(0, {rd(0, 1, 0, 1)});
  s.poll();
  EXPECT_TRUE(s.driver_requests().empty()) << "a quarantined client is no longer served";
}

TEST(VirtCore, UnknownAndDuplicateDriverIdsAreIgnored) {
  Stack s;
  s.send(0, {rd(0, 1, 0, 1)});
  s.poll();
  auto d = s.driver_requests();
  s.drv.responses.push(blk_resp{BLK_RESP_OK, 1, 0xdeadbeef});
  s.answer(d[0]);
  s.answer(d[0]);  // a duplicate
  s.poll();
  auto r = s.responses(0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, 1u);
  EXPECT_EQ(s.core->driver_counters().bad_responses, 2u);
  // A stale id: same slot as before, old generation.
  s.send(0, {rd(0, 1, 0, 2)});
  s.poll();
  auto d2 = s.driver_requests();
  ASSERT_EQ(d2.size(), 1u);
  s.answer(d[0]);
  s.poll();
  EXPECT_TRUE(s.responses(0).empty());
  s.answer(d2[0]);
  s.poll();
  EXPECT_EQ(s.responses(0).size(), 1u);
}

TEST(VirtCore, ADriverCorruptingItsIndexIsQuarantinedAndEveryoneAnswered) {
  Stack s;
  s.send(0, {rd(0, 1, 0, 1)});
  s.poll();
  protocol::store_release(s.driver.response_queue()->tail, 5000u);
  PollResult p = s.poll();
  EXPECT_TRUE(p.driver_quarantined);
  auto r = s.responses(0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, BLK_RESP_ERR_NO_DEVICE) << "in-flight requests are failed, not left hanging";
  s.send(1, {rd(0, 1, 0, 2)});
  s.poll();
  ASSERT_EQ(s.responses(1).size(), 1u);
}

TEST(VirtCore, InternalReadsGoToTheMetadataRegion) {
  Stack s;
  ASSERT_TRUE(s.core->submit_internal(0, 2, 0x7000'0000));
  EXPECT_FALSE(s.core->submit_internal(2, 1, 0x7000'0000)) << "one at a time";
  auto d = s.driver_requests();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].io_or_offset, 0x7000'0000u);
  EXPECT_EQ(d[0].block_number, 0u) << "device blocks, not a partition's";
  s.answer(d[0]);
  PollResult p = s.poll();
  EXPECT_TRUE(p.internal_done);
  EXPECT_FALSE(s.core->internal_pending());
  EXPECT_EQ(s.core->internal_status(), BLK_RESP_OK);
}

// A client writing garbage over its whole queue regions never crashes the virtualiser, never
// reaches outside its partition, and the other client's traffic is unaffected.
TEST(VirtCore, HostileClientTrafficLeavesTheOtherClientUntouched) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 100; ++round) {
    Stack s;
    for (int step = 0; step < 20; ++step) {
      for (Region* region : {&s.queues[0]->requests, &s.queues[0]->responses}) {
        for (int k = 0; k < 16; ++k) region->data()[rng() % region->size()] = static_cast<uint8_t>(rng());
      }
      s.send(1, {rd(step % 50, 1, 0, static_cast<uint32_t>(step))});
      s.poll();
      for (const blk_req& r : s.driver_requests()) {
        const bool client0 = r.io_or_offset >= Stack::io(0) && r.io_or_offset < Stack::io(0) + kDataBytes;
        const bool client1 = r.io_or_offset >= Stack::io(1) && r.io_or_offset < Stack::io(1) + kDataBytes;
        if (r.code == BLK_REQ_READ || r.code == BLK_REQ_WRITE) {
          ASSERT_TRUE(client0 || client1);
          const uint64_t first = client0 ? 100 : 200;
          const uint64_t blocks = client0 ? 100 : 50;
          ASSERT_GE(r.block_number, first);
          ASSERT_LE(r.block_number + r.count, first + blocks);
          ASSERT_LE(r.io_or_offset + r.count * 4096u, (client0 ? Stack::io(0) : Stack::io(1)) + kDataBytes);
        }
        s.answer(r);
      }
      s.poll();
      auto r1 = s.responses(1);
      ASSERT_EQ(r1.size(), 1u);
      EXPECT_EQ(r1[0].id, static_cast<uint32_t>(step));
      EXPECT_EQ(r1[0].status, BLK_RESP_OK);
    }
  }
}

}  // namespace
}  // namespace corokit::testing
