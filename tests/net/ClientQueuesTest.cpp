#include "executor/net/ClientQueues.h"

#include <gtest/gtest.h>

#include "tests/net/TestLink.h"

using namespace corokit;
using namespace corokit::net;
using corokit::testing::ClientMemory;

namespace {

// The peer's ends of the client's queues.
struct Peer {
  explicit Peer(ClientMemory& m)
      : rx_active(protocol::net_queue_region(m.rx_active(), ClientMemory::kCapacity)),
        rx_free(protocol::net_queue_region(m.rx_free(), ClientMemory::kCapacity)),
        tx_free(protocol::net_queue_region(m.tx_free(), ClientMemory::kCapacity)),
        tx_active(protocol::net_queue_region(m.tx_active(), ClientMemory::kCapacity)) {}
  protocol::QueueProducer<net_buff_desc, std::uint16_t> rx_active;
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> rx_free;
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> tx_free;
  protocol::QueueProducer<net_buff_desc, std::uint16_t> tx_active;
};

}  // namespace

TEST(ClientQueues, ReceivesExactLengthsAndRejectsForgedDescriptors) {
  ClientMemory m;
  Peer peer(m);
  net_buff_desc d;
  while (peer.rx_free.pop(d)) {}  // the peer takes every buffer
  peer.rx_free.commit();
  ClientQueues q(m.config());
  ASSERT_TRUE(q.valid());
  peer.rx_active.push({0, 14, 0});            // the shortest frame
  peer.rx_active.push({2048, 2048, 0});       // the longest
  peer.rx_active.push({4096 + 1, 60, 0});     // misaligned: dropped
  peer.rx_active.push({ClientMemory::kDataBytes, 60, 0});  // outside the region: dropped
  peer.rx_active.push({2048, 60, 0});         // a buffer the client already holds: dropped
  peer.rx_active.push({4096, 13, 0});         // too short: buffer returned
  peer.rx_active.push({6144, 2049, 0});       // too long: buffer returned
  peer.rx_active.publish();
  ClientQueues::Frame f;
  ASSERT_TRUE(q.receive(f));
  EXPECT_EQ(f.offset, 0u);
  EXPECT_EQ(f.len, 14u);
  EXPECT_EQ(f.data, m.rx_data());
  ASSERT_TRUE(q.receive(f));
  EXPECT_EQ(f.offset, 2048u);
  EXPECT_EQ(f.len, 2048u);
  EXPECT_FALSE(q.receive(f));
  EXPECT_EQ(q.stats().rx_bad_descriptors, 5u);
  EXPECT_EQ(q.rx_buffers_held(), 2u);
  q.release_rx(0);
  q.release_rx(0);       // a double release is ignored
  q.release_rx(12345);   // not a buffer
  q.flush();
  // Back on the free queue, in order: the two rejected ones, then buffer 0.
  std::vector<std::uint64_t> returned;
  while (peer.rx_free.pop(d)) returned.push_back(d.io_or_offset);
  EXPECT_EQ(returned, (std::vector<std::uint64_t>{4096, 6144, 0}));
}

TEST(ClientQueues, TxBuffersComeFromTheFreeQueueOnce) {
  ClientMemory m;
  ClientQueues q(m.config());
  Peer peer(m);
  std::uint64_t a = 1, b = 1;
  ASSERT_NE(q.acquire_tx(a), nullptr);
  ASSERT_NE(q.acquire_tx(b), nullptr);
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 2048u);
  q.cancel_tx(b);
  std::uint64_t c = 0;
  ASSERT_NE(q.acquire_tx(c), nullptr);
  EXPECT_EQ(c, 2048u);  // the cancelled one first
  q.submit_tx(a, 100);
  q.submit_tx(a, 100);  // not held any more: ignored
  ClientQueues::Signals s = q.flush();
  EXPECT_TRUE(s.tx);    // the Tx virtualiser wants a notification (flag 0)
  EXPECT_FALSE(q.flush().tx);  // nothing new: no publish, no signal
  net_buff_desc d;
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> active(protocol::net_queue_region(m.tx_active(), ClientMemory::kCapacity));
  ASSERT_TRUE(active.pop(d));
  EXPECT_EQ(d.io_or_offset, 0u);
  EXPECT_EQ(d.len, 100u);
  EXPECT_FALSE(active.pop(d));
  // A forged Tx free descriptor naming a buffer the client holds is rejected.
  protocol::QueueProducer<net_buff_desc, std::uint16_t> free(protocol::net_queue_region(m.tx_free(), ClientMemory::kCapacity));
  m.tx_free()->head = m.tx_free()->tail;  // pretend the client consumed everything (test only)
  free.adopt();
  free.push({2048, 0, 0});
  free.publish();
  ClientQueues q2(m.config());
  std::uint64_t x;
  ASSERT_NE(q2.acquire_tx(x), nullptr);
  EXPECT_EQ(x, 2048u);
}

TEST(ClientQueues, WaitRequestsSignalsAndSeesLateWork) {
  ClientMemory m;
  ClientQueues q(m.config());
  Peer peer(m);
  m.rx_active()->consumer_signalled = 1;
  EXPECT_FALSE(q.prepare_wait(false));
  EXPECT_EQ(m.rx_active()->consumer_signalled, 0u);  // asks for a notification
  EXPECT_EQ(m.tx_free()->consumer_signalled, 0u);
  net_buff_desc d;
  ASSERT_TRUE(peer.rx_free.pop(d));
  peer.rx_free.commit();
  peer.rx_active.push({d.io_or_offset, 64, 0});
  peer.rx_active.publish();
  EXPECT_TRUE(q.prepare_wait(false));  // work arrived: do not sleep
  EXPECT_EQ(m.rx_active()->consumer_signalled, 1u);
}
