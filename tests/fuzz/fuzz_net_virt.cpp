// The network device stack's descriptor handling under a hostile client (PROTOCOLS.md §1.5, §6
// "Hostile peer"): the Rx and Tx virtualisers and the copiers run in-process (tests/net/
// NetFixture.h) while client 0 writes arbitrary bytes into everything it can write — its four
// queues (indices, descriptors, flags) and its data regions — and frames arrive from the "wire".
// Client 1 behaves. Nothing may crash, and client 1's traffic must be exactly what it would be
// without client 0: every frame for it delivered intact and in order, every frame it sends
// transmitted intact and in order.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/net/NetFixture.h"

using corokit::net::ClientQueues;
using corokit::net::MacAddress;
using corokit::testing::NetFixture;

namespace {

struct Input {
  const uint8_t* p;
  size_t n;
  bool empty() const { return n == 0; }
  uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return static_cast<uint16_t>(byte() | byte() << 8); }
};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  const uint8_t mode = in.byte();
  NetFixture::Options o;
  o.buffers = 32;
  o.copier = {(mode & 1) != 0, (mode & 2) != 0};  // either may be trusted or behind a copier
  o.all_multicast = {true, (mode & 4) != 0};
  NetFixture f(o);
  check(f.valid());
  NetFixture::Client& bad = f.client(0);
  NetFixture::Client& good = f.client(1);
  const MacAddress outside{{0x02, 0x77, 0, 0, 0, 1}};
  std::vector<std::vector<uint8_t>> expected_rx, expected_tx;
  size_t rx_seen = 0, tx_seen = 0;
  uint32_t seq = 0;

  auto drain_good = [&] {
    ClientQueues::Frame fr;
    while (good.queues->receive(fr)) {
      check(rx_seen < expected_rx.size());
      check(fr.len == expected_rx[rx_seen].size() && std::memcmp(fr.data, expected_rx[rx_seen].data(), fr.len) == 0);
      ++rx_seen;
      good.queues->release_rx(fr.offset);
    }
    good.queues->flush();
  };
  auto transmit = [&] {
    for (auto& frame : f.transmit()) {
      if (frame.size() >= 12 && std::memcmp(frame.data() + 6, good.mac.bytes, 6) == 0) {
        check(tx_seen < expected_tx.size() && frame == expected_tx[tx_seen]);
        ++tx_seen;
      }
    }
  };

  while (!in.empty()) {
    switch (in.byte() % 6) {
      case 0: {  // a frame from the wire
        const uint8_t kind = in.byte();
        const uint16_t len = static_cast<uint16_t>(14 + in.u16() % (2048 - 13));
        MacAddress dst = kind % 4 == 0 ? good.mac : kind % 4 == 1 ? bad.mac
                         : kind % 4 == 2 ? MacAddress{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
                                         : MacAddress{{0x01, 0x00, 0x5e, 0, 0, kind}};
        auto frame = NetFixture::frame(dst, outside, len, ++seq);
        if (f.inject(frame.data(), len)) {
          const bool for_good = kind % 4 == 0 || kind % 4 == 2 || (kind % 4 == 3 && (mode & 4) != 0);
          if (for_good) expected_rx.push_back(frame);
        }
        f.run();
        drain_good();
        break;
      }
      case 1: {  // the hostile client writes into one of its queues
        auto* q = in.byte() % 4 == 0 ? &bad.rx_free : in.byte() % 3 == 0 ? &bad.rx_active
                                                     : in.byte() % 2 == 0 ? &bad.tx_free : &bad.tx_active;
        const size_t at = in.u16() % q->bytes.size();
        const size_t len = in.byte() % 24;
        for (size_t i = 0; i < len && at + i < q->bytes.size(); ++i) q->bytes[at + i] = in.byte();
        break;
      }
      case 2: {  // ... or into its data regions
        auto& region = in.byte() % 2 == 0 ? bad.tx_data : bad.rx_data;
        const size_t at = (size_t{in.u16()} * 7) % region.bytes.size();
        const size_t len = in.byte();
        for (size_t i = 0; i < len && at + i < region.bytes.size(); ++i) region.bytes[at + i] = in.byte();
        break;
      }
      case 3: {  // the good client sends
        auto frame = NetFixture::frame(outside, good.mac, static_cast<uint16_t>(14 + in.u16() % 1501), ++seq);
        uint64_t offset = 0;
        if (uint8_t* b = good.queues->acquire_tx(offset)) {
          std::memcpy(b, frame.data(), frame.size());
          good.queues->submit_tx(offset, static_cast<uint16_t>(frame.size()));
          expected_tx.push_back(frame);
        }
        good.queues->flush();
        break;
      }
      case 4:
        f.run();
        drain_good();
        break;
      case 5:
        f.run();
        transmit();
        break;
    }
  }
  f.run();
  drain_good();
  transmit();
  f.run();
  transmit();
  check(rx_seen == expected_rx.size());
  check(tx_seen == expected_tx.size());
  check(!f.rx_virt().client_health(1).quarantined && !f.tx_virt().client_health(1).quarantined);
  return 0;
}
