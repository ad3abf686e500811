// Test support: the server end of a client's block queue pair, in-process, backed by a vector. It
// takes requests when told, completes them in any order, and can fail a block.
#pragma once

#include <cstring>
#include <vector>

#include "executor/host/PdHarness.h"
#include "sdk/protocol/BlockQueues.h"
#include "tests/block/QueueMemory.h"

namespace corokit::testing {

class FakeDevice {
 public:
  FakeDevice(QueuePair& q, uint32_t capacity, uint64_t blocks, bool read_only = false)
      : end_(q.server(capacity)), info_(q.storage_info()), data_(q.data.data()), data_bytes_(q.data.size()),
        disk_(blocks * 4096, 0) {
    std::strcpy(info_.serial_number, "fake");
    info_.sector_size = 512;
    info_.block_size = 1;
    info_.queue_depth = static_cast<uint16_t>(capacity);
    info_.capacity = blocks;
    info_.read_only = read_only ? 1 : 0;
  }
  void publish() { protocol::publish_storage_info(info_); }

  // Takes every queued request; returns how many.
  size_t take() {
    size_t n = 0;
    for (blk_req r; end_.requests.pop(r); ++n) pending.push_back(r);
    end_.requests.commit();
    return n;
  }
  void complete(size_t i) {
    blk_req r = pending[i];
    pending.erase(pending.begin() + static_cast<long>(i));
    blk_resp resp{BLK_RESP_OK, r.count, r.id};
    const uint64_t bytes = static_cast<uint64_t>(r.count) * 4096;
    if (r.code == BLK_REQ_READ || r.code == BLK_REQ_WRITE) {
      if (r.io_or_offset + bytes > data_bytes_ || (r.block_number + r.count) * 4096 > disk_.size()) {
        resp = {BLK_RESP_ERR_INVALID_PARAM, 0, r.id};
      } else {
        uint16_t good = r.count;
        if (fail_block_ >= r.block_number && fail_block_ < r.block_number + r.count) {
          good = static_cast<uint16_t>(fail_block_ - r.block_number);
          resp = {BLK_RESP_ERR_IO, good, r.id};
        }
        uint8_t* dev = disk_.data() + r.block_number * 4096;
        uint8_t* mem = data_ + r.io_or_offset;
        if (r.code == BLK_REQ_READ) {
          ++reads;
          read_blocks += r.count;
          std::memcpy(mem, dev, good * 4096u);
        } else {
          ++writes;
          written_blocks += r.count;
          std::memcpy(dev, mem, good * 4096u);
        }
      }
    } else if (r.code == BLK_REQ_FLUSH) {
      ++flushes;
      resp.success_count = 0;
    } else {
      resp.success_count = 0;
    }
    end_.responses.push(resp);
    end_.responses.publish();
  }
  void complete_all() {
    while (!pending.empty()) complete(0);
  }

  void fail_block(uint64_t block) { fail_block_ = block; }
  std::vector<uint8_t>& disk() { return disk_; }
  protocol::BlockServerEnd& end() { return end_; }

  std::vector<blk_req> pending;
  uint64_t reads = 0, writes = 0, flushes = 0, read_blocks = 0, written_blocks = 0;

 private:
  protocol::BlockServerEnd end_;
  blk_storage_info& info_;
  uint8_t* data_;
  uint64_t data_bytes_;
  std::vector<uint8_t> disk_;
  uint64_t fail_block_ = ~uint64_t{0};
};

// Runs the client PD and the device until neither has anything left to do.
inline void pump(exec::PdHarness& h, FakeDevice& device, exec::ChannelId channel, int max_rounds = 10000) {
  h.run_until_idle();
  for (int i = 0; i < max_rounds; ++i) {
    device.take();
    if (device.pending.empty()) return;
    device.complete_all();
    h.deliver(channel);
  }
}

}  // namespace corokit::testing
