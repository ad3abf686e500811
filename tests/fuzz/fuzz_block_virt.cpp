// libFuzzer target: the block virtualiser's request handling (pds/block/VirtCore.h) with arbitrary
// shared-memory contents. The input is a script: a hostile client and a hostile driver write bytes
// anywhere in the regions they can write, while a well-behaved client sends valid requests and a
// driver answers what reaches it. Checked on every step: nothing is forwarded outside the issuing
// client's partition and data region, and the well-behaved client gets exactly one response per
// request, with its own id.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "pds/block/VirtCore.h"

namespace {

using namespace corokit;
using namespace corokit::block;

constexpr uint32_t kClientCap = 8;
constexpr uint32_t kDriverCap = 16;
constexpr uint64_t kData = 8 * 4096;
constexpr uint64_t kIo[2] = {0x4000'0000, 0x5000'0000};
constexpr uint64_t kFirst[2] = {100, 300};
constexpr uint64_t kBlocks[2] = {100, 50};

struct Memory {
  explicit Memory(size_t n) : bytes(n + 4096) {}
  uint8_t* data() { return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(bytes.data()) + 4095) & ~uintptr_t{4095}); }
  std::vector<uint8_t> bytes;
};

struct Input {
  const uint8_t* p;
  size_t n;
  bool empty() const { return n == 0; }
  uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint32_t u32() { return byte() | byte() << 8 | byte() << 16 | static_cast<uint32_t>(byte()) << 24; }
};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  const size_t req_bytes[2] = {BLK_REQ_QUEUE_BYTES(kClientCap), BLK_REQ_QUEUE_BYTES(kDriverCap)};
  const size_t resp_bytes[2] = {BLK_RESP_QUEUE_BYTES(kClientCap), BLK_RESP_QUEUE_BYTES(kDriverCap)};
  Memory creq[2] = {Memory(req_bytes[0]), Memory(req_bytes[0])};
  Memory cresp[2] = {Memory(resp_bytes[0]), Memory(resp_bytes[0])};
  Memory cinfo[2] = {Memory(4096), Memory(4096)};
  Memory dreq(req_bytes[1]), dresp(resp_bytes[1]), dinfo(4096);
  for (Memory* m : {&creq[0], &creq[1], &cresp[0], &cresp[1], &cinfo[0], &cinfo[1], &dreq, &dresp, &dinfo}) {
    std::memset(m->bytes.data(), 0, m->bytes.size());
  }
  auto* info = reinterpret_cast<blk_storage_info*>(dinfo.data());
  info->sector_size = 512;
  info->capacity = 1000;
  protocol::publish_storage_info(*info);

  static VirtCore core;  // large: reset in place
  core.~VirtCore();
  new (&core) VirtCore(8);
  check(core.attach_driver({info, dreq.data(), req_bytes[1], dresp.data(), resp_bytes[1]}));
  for (int c = 0; c < 2; ++c) {
    check(core.add_client({reinterpret_cast<blk_storage_info*>(cinfo[c].data()), creq[c].data(), req_bytes[0],
                           cresp[c].data(), resp_bytes[0], kData, kIo[c]}));
    core.start_client(static_cast<uint32_t>(c), ClientGeometry{true, kFirst[c], kBlocks[c], c == 1}, "fuzz");
  }
  protocol::BlockServerEnd driver = protocol::block_server_end(dreq.data(), dresp.data(), kDriverCap);
  protocol::BlockClientEnd good = protocol::block_client_end(creq[1].data(), cresp[1].data(), kClientCap);

  std::map<uint32_t, int> outstanding;  // the good client's ids awaiting a response
  uint32_t next_id = 1;
  std::vector<blk_req> at_driver;

  while (!in.empty()) {
    switch (in.byte() % 8) {
      case 0:
      case 1: {  // the hostile client writes into its request or response region
        Memory& m = in.byte() & 1 ? cresp[0] : creq[0];
        const size_t limit = m.bytes.size() - 4096;
        const size_t at = in.u32() % limit;
        const size_t n = in.byte() % 33;
        for (size_t i = 0; i < n && at + i < limit; ++i) m.data()[at + i] = in.byte();
        break;
      }
      case 2: {  // the hostile driver writes into its response region or its storage info
        Memory& m = in.byte() & 1 ? dinfo : dresp;
        const size_t limit = m.bytes.size() - 4096;
        const size_t at = in.u32() % limit;
        const size_t n = in.byte() % 17;
        for (size_t i = 0; i < n && at + i < limit; ++i) m.data()[at + i] = in.byte();
        break;
      }
      case 3: {  // the good client sends a valid request (read-only: no writes)
        if (outstanding.size() >= kClientCap) break;
        const uint8_t kind = in.byte() % 3;
        blk_req r{};
        r.id = next_id++;
        if (kind == 0) {
          r.code = BLK_REQ_READ;
          r.count = static_cast<uint16_t>(1 + in.byte() % 4);
          r.block_number = in.byte() % (kBlocks[1] - r.count + 1);
          r.io_or_offset = (in.byte() % (kData / 4096 - r.count + 1)) * 4096;
        } else {
          r.code = kind == 1 ? BLK_REQ_FLUSH : BLK_REQ_BARRIER;
        }
        if (good.requests.push(r)) {
          good.requests.publish();
          outstanding[r.id] = 1;
        }
        break;
      }
      case 4: {  // poll; check what reached the driver
        core.poll();
        for (blk_req r; driver.requests.pop(r);) {
          if (r.code == BLK_REQ_READ || r.code == BLK_REQ_WRITE) {
            const int c = r.io_or_offset >= kIo[1] ? 1 : 0;
            check(r.io_or_offset >= kIo[c] && r.count >= 1 && r.io_or_offset - kIo[c] <= kData - r.count * 4096u);
            check(r.block_number >= kFirst[c] && r.block_number + r.count <= kFirst[c] + kBlocks[c]);
            check(!(c == 1 && r.code == BLK_REQ_WRITE));
          }
          at_driver.push_back(r);
        }
        driver.requests.commit();
        break;
      }
      case 5: {  // the driver answers some of what it holds, in input order
        size_t n = in.byte() % 8;
        while (n-- > 0 && !at_driver.empty()) {
          const size_t i = in.byte() % at_driver.size();
          const blk_req r = at_driver[i];
          at_driver.erase(at_driver.begin() + static_cast<long>(i));
          const uint32_t status = in.byte() % 6;  // includes an invalid status
          driver.responses.push(blk_resp{status, static_cast<uint16_t>(in.byte()), r.id});
        }
        driver.responses.publish();
        break;
      }
      case 6: {  // the good client takes its responses
        for (blk_resp r; good.responses.pop(r);) {
          auto it = outstanding.find(r.id);
          check(it != outstanding.end());  // one response per request, with its id
          outstanding.erase(it);
        }
        good.responses.commit();
        break;
      }
      case 7:
        core.poll();
        break;
    }
  }
  return 0;
}
