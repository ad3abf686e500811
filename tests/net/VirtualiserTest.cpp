// The Rx/Tx virtualisers and the copier in-process (NetFixture): demultiplexing, fan-out with
// reference counts, exact lengths, copier drops, Tx validation and fairness, buffer conservation,
// and hostile clients that cannot disturb the others (PROTOCOLS.md §4, §1.5, §6 "Network").
#include <gtest/gtest.h>

#include <random>

#include "sdk/PdCounters.h"
#include "tests/net/NetFixture.h"

using namespace corokit;
using namespace corokit::net;
using corokit::testing::NetFixture;

namespace {

const MacAddress kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
const MacAddress kOutside{{0x02, 0x99, 0, 0, 0, 1}};

std::vector<std::vector<std::uint8_t>> receive_all(NetFixture::Client& c) {
  std::vector<std::vector<std::uint8_t>> frames;
  ClientQueues::Frame f;
  while (c.queues->receive(f)) {
    frames.emplace_back(f.data, f.data + f.len);
    c.queues->release_rx(f.offset);
  }
  c.queues->flush();
  return frames;
}

bool send(NetFixture::Client& c, const std::vector<std::uint8_t>& frame) {
  std::uint64_t offset = 0;
  std::uint8_t* buffer = c.queues->acquire_tx(offset);
  if (buffer == nullptr) return false;
  std::memcpy(buffer, frame.data(), frame.size());
  c.queues->submit_tx(offset, static_cast<std::uint16_t>(frame.size()));
  return true;
}

}  // namespace

TEST(NetVirtualisers, ExactRxLengthFor14To2048ByteFramesThroughTheCopier) {
  NetFixture f({});
  ASSERT_TRUE(f.valid());
  for (std::uint16_t len = 14; len <= 2048; len = static_cast<std::uint16_t>(len < 100 ? len + 1 : len * 2 > 2048 && len != 2048 ? 2048 : len * 2)) {
    auto frame = NetFixture::frame(f.client(1).mac, kOutside, len, len);
    ASSERT_TRUE(f.inject(frame.data(), len));
    f.run();
    auto got = receive_all(f.client(1));
    ASSERT_EQ(got.size(), 1u) << len;
    EXPECT_EQ(got[0], frame) << len;
    EXPECT_TRUE(receive_all(f.client(0)).empty());
    f.run();
  }
  // Every DMA buffer went back to the driver, every client buffer to its client.
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
  EXPECT_EQ(f.client(1).queues->rx_buffers_held(), 0u);
}

// The copier counts each frame it copies, with its length (sdk/PdCounters.h: in-process, the
// process's own block); a dropped frame is no copy, and a trusted client's frames are not copied.
TEST(NetCopierCounters, EachCopiedFrameCountsOnceWithItsLength) {
  NetFixture::Options o;
  o.copier = {true, false};
  NetFixture f(o);
  ASSERT_TRUE(f.valid());
  const counters::PdCounters& counted = counters::current();
  const std::uint64_t copies = counted.copies.load(), bytes = counted.copied_bytes.load();
  std::uint64_t sent = 0;
  for (std::uint16_t len : {std::uint16_t{14}, std::uint16_t{60}, std::uint16_t{1514}, std::uint16_t{2048}}) {
    auto frame = NetFixture::frame(f.client(0).mac, kOutside, len, len);
    ASSERT_TRUE(f.inject(frame.data(), len));
    f.run();
    sent += len;
    ASSERT_EQ(receive_all(f.client(0)).size(), 1u);
  }
  auto trusted = NetFixture::frame(f.client(1).mac, kOutside, 100, 1);
  ASSERT_TRUE(f.inject(trusted.data(), 100));
  f.run();
  EXPECT_EQ(receive_all(f.client(1)).size(), 1u);
  EXPECT_EQ(counted.copies.load() - copies, 4u);
  EXPECT_EQ(counted.copied_bytes.load() - bytes, sent);
  // Client 0 stops reading: once its buffers are full, frames are dropped uncounted.
  for (unsigned i = 0; i < 2 * f.buffers(); ++i) {
    auto frame = NetFixture::frame(f.client(0).mac, kOutside, 200, i);
    ASSERT_TRUE(f.inject(frame.data(), 200));
    f.run();
  }
  EXPECT_EQ(f.client(0).copier_logic->stats().dropped, std::uint64_t{f.buffers()});
  EXPECT_EQ(counted.copies.load() - copies, 4u + f.buffers());
  EXPECT_EQ(counted.copied_bytes.load() - bytes, sent + 200u * f.buffers());
}

TEST(NetVirtualisers, BroadcastAndMulticastFanOutWithReferenceCounts) {
  NetFixture::Options o;
  o.clients = 3;
  o.copier = {false, false, true};  // two trusted clients see the DMA buffer itself
  NetFixture f(o);
  ASSERT_TRUE(f.valid());
  auto b = NetFixture::frame(kBroadcast, kOutside, 60, 1);
  ASSERT_TRUE(f.inject(b.data(), 60));
  f.run();
  // The two trusted clients hold the same DMA buffer: reference count 2 (the copier returned its).
  std::uint32_t shared = 0;
  for (std::uint32_t i = 0; i < f.buffers(); ++i)
    if (f.rx_virt().refcount(i) != 0) shared = i;
  EXPECT_EQ(f.rx_virt().refcount(shared), 2);
  ClientQueues::Frame fr;
  ASSERT_TRUE(f.client(0).queues->receive(fr));
  EXPECT_EQ(fr.len, 60);
  f.client(0).queues->release_rx(fr.offset);
  f.client(0).queues->flush();
  f.run();
  EXPECT_EQ(f.rx_virt().refcount(shared), 1);
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers() - 1u);
  EXPECT_EQ(receive_all(f.client(1)).size(), 1u);
  EXPECT_EQ(receive_all(f.client(2)).size(), 1u);
  f.run();
  EXPECT_EQ(f.rx_virt().refcount(shared), 0);
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());

  // Multicast: nobody joined 01:00:5e:00:00:fb, so it is dropped (not delivered as unicast).
  const MacAddress group{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}};
  auto m = NetFixture::frame(group, kOutside, 90, 2);
  ASSERT_TRUE(f.inject(m.data(), 90));
  f.run();
  for (unsigned i = 0; i < 3; ++i) EXPECT_TRUE(receive_all(f.client(i)).empty());
  EXPECT_EQ(f.rx_virt().stats().unmatched, 1u);
}

TEST(NetVirtualisers, MulticastGoesToMembersAndAllMulticastClients) {
  const MacAddress group{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}};
  const MacAddress other{{0x33, 0x33, 0x00, 0x00, 0x00, 0x02}};
  NetFixture::Options o;
  o.clients = 3;
  o.copier = {true, true, false};
  o.group = {group, MacAddress{}, MacAddress{}};
  o.all_multicast = {false, false, true};
  NetFixture f(o);
  ASSERT_TRUE(f.valid());
  auto g = NetFixture::frame(group, kOutside, 86, 1);
  auto x = NetFixture::frame(other, kOutside, 86, 2);
  ASSERT_TRUE(f.inject(g.data(), 86));
  ASSERT_TRUE(f.inject(x.data(), 86));
  f.run();
  auto r0 = receive_all(f.client(0));
  auto r1 = receive_all(f.client(1));
  auto r2 = receive_all(f.client(2));
  ASSERT_EQ(r0.size(), 1u);  // the member: only its group
  EXPECT_EQ(r0[0], g);
  EXPECT_TRUE(r1.empty());   // not a member
  ASSERT_EQ(r2.size(), 2u);  // all multicast
  EXPECT_EQ(r2[0], g);
  EXPECT_EQ(r2[1], x);
  f.run();
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
}

TEST(NetVirtualisers, UnicastGoesOnlyToItsOwnerUnmatchedBackToTheDriver) {
  NetFixture f({});
  ASSERT_TRUE(f.valid());
  auto to0 = NetFixture::frame(f.client(0).mac, kOutside, 100, 3);
  auto nobody = NetFixture::frame(kOutside, f.client(0).mac, 100, 4);
  ASSERT_TRUE(f.inject(to0.data(), 100));
  ASSERT_TRUE(f.inject(nobody.data(), 100));
  f.run();
  auto got0 = receive_all(f.client(0));
  ASSERT_EQ(got0.size(), 1u);
  EXPECT_EQ(got0[0], to0);
  EXPECT_TRUE(receive_all(f.client(1)).empty());
  EXPECT_EQ(f.rx_virt().stats().unmatched, 1u);
  f.run();
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
}

TEST(NetVirtualisers, CopierDropsForASlowClientAndKeepsNoSharedBuffer) {
  NetFixture f({});
  ASSERT_TRUE(f.valid());
  // Client 0 never reads: after its own buffers are full, frames for it are dropped by its copier.
  unsigned sent = 0;
  for (int i = 0; i < 3 * f.buffers(); ++i) {
    auto fr = NetFixture::frame(f.client(0).mac, kOutside, 200, static_cast<std::uint32_t>(i));
    if (f.inject(fr.data(), 200)) ++sent;
    f.run();
  }
  EXPECT_EQ(sent, 3u * f.buffers());  // the driver never ran out: the copier returned every buffer
  EXPECT_EQ(f.client(0).copier_logic->stats().copied, f.buffers());
  EXPECT_EQ(f.client(0).copier_logic->stats().dropped, 2u * f.buffers());
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
  // Client 1 is served all the while.
  auto fr = NetFixture::frame(f.client(1).mac, kOutside, 64, 9);
  ASSERT_TRUE(f.inject(fr.data(), 64));
  f.run();
  EXPECT_EQ(receive_all(f.client(1)).size(), 1u);
  // Once client 0 reads, it gets its buffers' worth of frames, intact.
  auto got = receive_all(f.client(0));
  ASSERT_EQ(got.size(), f.buffers());
  EXPECT_EQ(got[5], NetFixture::frame(f.client(0).mac, kOutside, 200, 5));
}

TEST(NetVirtualisers, TxTranslatesValidatesAndReturnsBuffersToTheirOwner) {
  NetFixture f({});
  ASSERT_TRUE(f.valid());
  auto good = NetFixture::frame(kOutside, f.client(0).mac, 1514, 1);
  auto spoofed = NetFixture::frame(kOutside, f.client(1).mac, 100, 2);  // client 0 claims 1's MAC
  ASSERT_TRUE(send(f.client(0), good));
  ASSERT_TRUE(send(f.client(0), spoofed));
  f.client(0).queues->flush();
  f.run();
  auto out = f.transmit();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], good);
  EXPECT_EQ(f.tx_virt().stats().spoofed, 1u);
  f.run();
  // Both buffers are back with client 0 (the spoofed one with len 0), none lost.
  EXPECT_EQ(f.tx_virt().client_owns(0), f.buffers());
  EXPECT_EQ(f.tx_virt().client_owns(1), f.buffers());
  std::uint64_t off;
  unsigned available = 0;
  while (f.client(0).queues->acquire_tx(off) != nullptr) ++available;
  EXPECT_EQ(available, f.buffers());
}

TEST(NetVirtualisers, TxServesClientsFairly) {
  NetFixture::Options o;
  o.buffers = 64;
  o.tx_budget = 8;
  NetFixture f(o);
  ASSERT_TRUE(f.valid());
  // Both clients queue everything they have at once; the driver must see them interleaved in
  // chunks of the budget, from a rotating start, never one client's 64 frames first.
  for (unsigned c = 0; c < 2; ++c) {
    for (unsigned i = 0; i < 64; ++i) ASSERT_TRUE(send(f.client(c), NetFixture::frame(kOutside, f.client(c).mac, 60, i)));
    f.client(c).queues->flush();
  }
  f.run();
  auto out = f.transmit();
  ASSERT_EQ(out.size(), 128u);
  for (unsigned chunk = 0; chunk < 16; ++chunk) {
    unsigned from0 = 0;
    for (unsigned i = 0; i < 8; ++i) from0 += out[chunk * 8 + i][11] == f.client(0).mac.bytes[5];
    EXPECT_TRUE(from0 == 0 || from0 == 8) << chunk;
    if (chunk % 2 == 1) {
      unsigned pair0 = 0;
      for (unsigned i = 0; i < 16; ++i) pair0 += out[(chunk - 1) * 8 + i][11] == f.client(0).mac.bytes[5];
      EXPECT_EQ(pair0, 8u) << "chunks " << chunk - 1 << " and " << chunk << " come from both clients";
    }
  }
}

TEST(NetVirtualisers, BufferConservationAfterMixedTraffic) {
  NetFixture f({});
  ASSERT_TRUE(f.valid());
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 5; ++k) {
      const MacAddress& dst = rng() % 4 == 0 ? kBroadcast : f.client(rng() % 2).mac;
      auto fr = NetFixture::frame(dst, kOutside, static_cast<std::uint16_t>(14 + rng() % 2035), round);
      f.inject(fr.data(), static_cast<std::uint16_t>(fr.size()));
    }
    for (unsigned c = 0; c < 2; ++c) {
      if (rng() % 3 != 0) receive_all(f.client(c));
      send(f.client(c), NetFixture::frame(kOutside, f.client(c).mac, 60, round));
      f.client(c).queues->flush();
    }
    f.run();
    f.transmit();
    f.run();
  }
  for (unsigned c = 0; c < 2; ++c) receive_all(f.client(c));
  f.run();
  f.transmit();
  f.run();
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
  for (unsigned c = 0; c < 2; ++c) {
    EXPECT_EQ(f.tx_virt().client_owns(c), f.buffers());
    EXPECT_EQ(f.client(c).copier_logic->client_holds(), f.buffers());
    EXPECT_EQ(f.client(c).queues->rx_buffers_held(), 0u);
  }
}

// A hostile client scribbles over everything it can write; the other client's traffic is the same
// as without it, and the hostile one ends up quarantined.
TEST(NetVirtualisers, AHostileClientCannotDisturbTheOther) {
  for (bool trusted_victim : {false, true}) {
    NetFixture::Options o;
    o.copier = {true, !trusted_victim};
    NetFixture f(o);
    ASSERT_TRUE(f.valid());
    std::mt19937 rng(7);
    NetFixture::Client& bad = f.client(0);
    NetFixture::Client& good = f.client(1);
    std::vector<std::vector<std::uint8_t>> expected_rx, got_rx, expected_tx, got_tx;
    for (int round = 0; round < 300; ++round) {
      // The hostile client writes garbage into its queues (indices, descriptors, flags).
      for (auto* q : {&bad.rx_free, &bad.tx_active}) {
        for (int k = 0; k < 8; ++k) q->bytes[rng() % 64] = static_cast<std::uint8_t>(rng());
      }
      auto to_good = NetFixture::frame(good.mac, kOutside, static_cast<std::uint16_t>(60 + rng() % 1400), round);
      auto to_bad = NetFixture::frame(bad.mac, kOutside, 80, round);
      auto bcast = NetFixture::frame(kBroadcast, kOutside, 120, round);
      if (f.inject(to_good.data(), static_cast<std::uint16_t>(to_good.size()))) expected_rx.push_back(to_good);
      f.inject(to_bad.data(), 80);
      if (f.inject(bcast.data(), 120)) expected_rx.push_back(bcast);
      auto out = NetFixture::frame(kOutside, good.mac, 300, round);
      if (send(good, out)) expected_tx.push_back(out);
      good.queues->flush();
      f.run();
      for (auto& fr : receive_all(good)) got_rx.push_back(fr);
      for (auto& fr : f.transmit()) {
        if (fr.size() >= 12 && std::equal(fr.begin() + 6, fr.begin() + 12, good.mac.bytes)) got_tx.push_back(fr);
      }
      f.run();
    }
    EXPECT_EQ(got_rx.size(), expected_rx.size());
    EXPECT_TRUE(got_rx == expected_rx) << "the victim's Rx frames differ";
    EXPECT_EQ(got_tx.size(), expected_tx.size());
    EXPECT_TRUE(got_tx == expected_tx) << "the victim's Tx frames differ";
    EXPECT_TRUE(f.tx_virt().client_health(0).quarantined);
    EXPECT_FALSE(f.tx_virt().client_health(1).quarantined);
    EXPECT_FALSE(f.rx_virt().client_health(1).quarantined);
  }
}

// A client returning Rx buffers wakes the Rx virtualiser only when the driver runs short of them;
// otherwise the virtualiser collects them on its next pass (the next frames bring it back).
TEST(NetVirtualisers, ReturnedRxBuffersWakeTheVirtualiserOnlyWhenTheDriverRunsShort) {
  NetFixture::Options o;
  o.copier = {false, false};  // trusted clients hold the DMA buffers themselves
  NetFixture f(o);
  ASSERT_TRUE(f.valid());
  auto deliver_and_return = [&](unsigned frames) {
    for (unsigned i = 0; i < frames; ++i) {
      auto frame = NetFixture::frame(f.client(0).mac, kOutside, 100, i);
      EXPECT_TRUE(f.inject(frame.data(), 100));
    }
    f.run();
    ClientQueues::Frame got;
    unsigned n = 0;
    while (f.client(0).queues->receive(got)) {
      f.client(0).queues->release_rx(got.offset);
      ++n;
    }
    EXPECT_EQ(n, frames);
    return f.client(0).queues->flush().rx;
  };
  EXPECT_FALSE(deliver_and_return(1));
  f.run();
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
  EXPECT_TRUE(deliver_and_return(f.buffers() * 3u / 4u));
  f.run();
  EXPECT_EQ(f.rx_virt().driver_holds(), f.buffers());
}
