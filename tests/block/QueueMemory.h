// Test support: zeroed, page-aligned memory standing in for the shared regions of one block queue
// pair (request queue, response queue, storage info) and a data region.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "sdk/protocol/BlockQueues.h"

namespace corokit::testing {

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

class Region {
 public:
  explicit Region(uint64_t bytes) : bytes_(bytes), memory_(static_cast<uint8_t*>(std::aligned_alloc(4096, round(bytes)))) {
    std::memset(memory_.get(), 0, round(bytes));
  }
  uint8_t* data() const { return memory_.get(); }
  uint64_t size() const { return bytes_; }
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(memory_.get());
  }

 private:
  static uint64_t round(uint64_t b) { return (b + 4095) & ~uint64_t{4095}; }
  uint64_t bytes_;
  std::unique_ptr<uint8_t, AlignedFree> memory_;
};

// A queue pair of `capacity` slots with its storage info and a data region.
struct QueuePair {
  explicit QueuePair(uint32_t capacity, uint64_t data_bytes = 64 * 4096)
      : requests(BLK_REQ_QUEUE_BYTES(capacity)), responses(BLK_RESP_QUEUE_BYTES(capacity)), info(4096), data(data_bytes) {}

  protocol::BlockServerEnd server(uint32_t capacity) const {
    return protocol::block_server_end(requests.data(), responses.data(), capacity);
  }
  protocol::BlockClientEnd client(uint32_t capacity) const {
    return protocol::block_client_end(requests.data(), responses.data(), capacity);
  }
  blk_storage_info& storage_info() const { return *info.as<blk_storage_info>(); }
  blk_req_queue* request_queue() const { return requests.as<blk_req_queue>(); }
  blk_resp_queue* response_queue() const { return responses.as<blk_resp_queue>(); }

  Region requests;
  Region responses;
  Region info;
  Region data;
};

}  // namespace corokit::testing
