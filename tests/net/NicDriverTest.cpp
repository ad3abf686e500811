// The NIC driver's logic (pds/net/NicDriver.h) against a fake backend: exact Rx lengths, short
// frames dropped, reading only into free buffers (frames left in the backend otherwise), the IRQ
// acknowledged only once the backend is drained, Tx written from the right client region with
// every buffer returned, and forged descriptors rejected.
#include "pds/net/NicDriver.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <memory>
#include <vector>

using namespace corokit;
using namespace corokit::net;

namespace {

struct FakeBackend final : FrameIo {
  std::deque<std::vector<std::uint8_t>> incoming;
  std::vector<std::vector<std::uint8_t>> sent;
  long read_frame(std::uint8_t* buffer, std::size_t capacity) noexcept override {
    if (incoming.empty()) return -1;  // EAGAIN
    std::vector<std::uint8_t> f = incoming.front();
    incoming.pop_front();
    const std::size_t n = f.size() < capacity ? f.size() : capacity;
    std::memcpy(buffer, f.data(), n);
    return static_cast<long>(n);
  }
  long write_frame(const std::uint8_t* frame, std::size_t len) noexcept override {
    sent.emplace_back(frame, frame + len);
    return static_cast<long>(len);
  }
};

struct Queue {
  std::vector<std::uint8_t> bytes = std::vector<std::uint8_t>(NET_QUEUE_BYTES(64) + 64);
  net_queue* q() { return reinterpret_cast<net_queue*>(bytes.data()); }
};

constexpr std::uint64_t kRxIo = 0x5000'0000, kTxIo = 0x6000'0000;

struct Rig {
  Queue rx_free, rx_active, tx_free, tx_active;
  std::vector<std::uint8_t> rx_dma = std::vector<std::uint8_t>(64 * 2048);
  std::vector<std::uint8_t> tx_data = std::vector<std::uint8_t>(64 * 2048);
  NetProducer give_rx{protocol::net_queue_region(rx_free.q(), 64)};
  NetConsumer take_rx{protocol::net_queue_region(rx_active.q(), 64)};
  NetProducer submit_tx{protocol::net_queue_region(tx_active.q(), 64)};
  NetConsumer returned_tx{protocol::net_queue_region(tx_free.q(), 64)};
  FakeBackend backend;
  std::unique_ptr<NicDriver> driver;

  Rig() {
    NicDriverConfig c;
    c.rx_free = {rx_free.q(), 64};
    c.rx_active = {rx_active.q(), 64};
    c.tx_free = {tx_free.q(), 64};
    c.tx_active = {tx_active.q(), 64};
    c.rx_dma = {rx_dma.data(), rx_dma.size()};
    c.rx_io = kRxIo;
    c.tx_region_count = 1;
    c.tx[0] = {{tx_data.data(), tx_data.size()}, kTxIo};
    driver = std::make_unique<NicDriver>(c);
  }
  void give(unsigned n, unsigned first = 0) {
    for (unsigned i = 0; i < n; ++i) give_rx.push({kRxIo + (first + i) * 2048ull, 0, 0});
    give_rx.publish();
  }
};

}  // namespace

TEST(NicDriver, ReceivesExactLengthsIntoFreeBuffersOnly) {
  Rig r;
  ASSERT_TRUE(r.driver->valid());
  for (std::size_t len : {14u, 60u, 1514u, 2048u, 13u, 100u}) r.backend.incoming.emplace_back(len, static_cast<std::uint8_t>(len));
  r.give(2);
  NicDriver::Pass p = r.driver->pass(r.backend);
  EXPECT_FALSE(p.ack_irq);  // out of buffers with frames left: the IRQ stays pending
  EXPECT_EQ(p.notify & NicDriver::kNotifyRxVirt, NicDriver::kNotifyRxVirt);
  EXPECT_EQ(r.backend.incoming.size(), 4u);  // left in the host
  r.give(8, 2);
  p = r.driver->pass(r.backend);
  EXPECT_TRUE(p.ack_irq);  // drained
  std::vector<std::size_t> lengths;
  net_buff_desc d;
  while (r.take_rx.pop(d)) {
    lengths.push_back(d.len);
    EXPECT_EQ(r.rx_dma[d.io_or_offset - kRxIo], static_cast<std::uint8_t>(d.len));
  }
  EXPECT_EQ(lengths, (std::vector<std::size_t>{14, 60, 1514, 2048, 100}));  // the 13-byte one dropped
  EXPECT_EQ(r.driver->stats().rx_dropped, 1u);
}

TEST(NicDriver, RejectsForgedRxBuffers) {
  Rig r;
  r.give_rx.push({kRxIo + 1, 0, 0});             // misaligned
  r.give_rx.push({kRxIo + 64 * 2048ull, 0, 0});  // past the region
  r.give_rx.push({kRxIo, 0, 0});
  r.give_rx.push({kRxIo, 0, 0});                 // the same buffer twice
  r.give_rx.publish();
  r.backend.incoming.emplace_back(60, 1);
  r.backend.incoming.emplace_back(60, 2);
  r.driver->pass(r.backend);
  EXPECT_EQ(r.driver->stats().bad_descriptors, 3u);
  net_buff_desc d;
  ASSERT_TRUE(r.take_rx.pop(d));
  EXPECT_EQ(d.io_or_offset, kRxIo);
  EXPECT_FALSE(r.take_rx.pop(d));
}

TEST(NicDriver, TransmitsFromClientRegionsAndReturnsEveryBuffer) {
  Rig r;
  for (int i = 0; i < 3; ++i) std::memset(r.tx_data.data() + i * 2048, 0x10 + i, 2048);
  r.submit_tx.push({kTxIo, 60, 0});
  r.submit_tx.push({kTxIo + 2048, 1514, 0});
  r.submit_tx.push({kTxIo + 4096, 1519, 0});       // longer than MTU + header + VLAN: dropped
  r.submit_tx.push({0x1234, 60, 0});               // not a Tx region: rejected
  r.submit_tx.publish();
  NicDriver::Pass p = r.driver->pass(r.backend);
  ASSERT_EQ(r.backend.sent.size(), 2u);
  EXPECT_EQ(r.backend.sent[0], std::vector<std::uint8_t>(60, 0x10));
  EXPECT_EQ(r.backend.sent[1], std::vector<std::uint8_t>(1514, 0x11));
  EXPECT_EQ(r.driver->stats().bad_descriptors, 2u);
  EXPECT_EQ(p.notify & NicDriver::kNotifyTxVirt, NicDriver::kNotifyTxVirt);
  unsigned returned = 0;
  net_buff_desc d;
  while (r.returned_tx.pop(d)) ++returned;
  EXPECT_EQ(returned, 4u);  // all of them, for the Tx virtualiser to attribute or drop
}
