// The block class's shared helpers (PROTOCOLS.md §3), used by the driver, the virtualiser and the
// client adapter alike: queue capacity from the configured region sizes, the two ends of a
// request/response queue pair, the storage-info `ready` handshake, and the overflow-safe range
// checks every server applies to untrusted requests. Freestanding.
#pragma once

#include <cstdint>

#include "sdk/protocol/Block.h"
#include "sdk/protocol/Queues.h"

namespace corokit::protocol {

// Largest queue capacity the protocol allows for block (2^31 slots); corokit caps it at 2^15,
// well above any useful depth, so that per-slot tables stay small.
inline constexpr uint32_t kBlockMaxCapacity = 1u << 15;

// The capacity both ends of a block queue pair use: the largest power of two whose request and
// response slots fit their regions (PROTOCOLS.md §3.1). Both ends derive it from the same region
// sizes (patched by the packer, never read from shared memory), so they agree by construction.
// 0 when the regions cannot hold a single slot.
constexpr uint32_t block_queue_capacity(uint64_t request_bytes, uint64_t response_bytes) noexcept {
  uint32_t capacity = 0;
  for (uint32_t c = 1; c <= kBlockMaxCapacity; c <<= 1) {
    if (BLK_REQ_QUEUE_BYTES(c) > request_bytes || BLK_RESP_QUEUE_BYTES(c) > response_bytes) break;
    capacity = c;
  }
  return capacity;
}
static_assert(block_queue_capacity(0x2000, 0x1000) == 128, "the default client capacity: 8 KiB + 4 KiB");
static_assert(block_queue_capacity(0x1000, 0x1000) == 64);
static_assert(block_queue_capacity(8, 8) == 0);

using BlockRequestConsumer = QueueConsumer<blk_req, uint32_t>;
using BlockRequestProducer = QueueProducer<blk_req, uint32_t>;
using BlockResponseConsumer = QueueConsumer<blk_resp, uint32_t>;
using BlockResponseProducer = QueueProducer<blk_resp, uint32_t>;

// The server's end of a queue pair (virtualiser facing a client, driver facing the virtualiser).
struct BlockServerEnd {
  BlockRequestConsumer requests;
  BlockResponseProducer responses;
};
// The client's end (client facing the virtualiser, virtualiser facing the driver).
struct BlockClientEnd {
  BlockRequestProducer requests;
  BlockResponseConsumer responses;
};

inline BlockServerEnd block_server_end(void* request_region, void* response_region, uint32_t capacity) {
  return {BlockRequestConsumer(block_requests(static_cast<blk_req_queue*>(request_region), capacity)),
          BlockResponseProducer(block_responses(static_cast<blk_resp_queue*>(response_region), capacity))};
}
inline BlockClientEnd block_client_end(void* request_region, void* response_region, uint32_t capacity) {
  return {BlockRequestProducer(block_requests(static_cast<blk_req_queue*>(request_region), capacity)),
          BlockResponseConsumer(block_responses(static_cast<blk_resp_queue*>(response_region), capacity))};
}

// --- Storage info: the `ready` handshake (PROTOCOLS.md §3.5) ---------------------------------------

// The writer fills every other field first, then publishes.
inline void publish_storage_info(blk_storage_info& info) { store_release(info.ready, uint8_t{1}); }
inline bool storage_info_ready(const blk_storage_info& info) { return load_acquire(info.ready) != 0; }

// --- Range checks (PROTOCOLS.md §3.3, §1.5 rule 4), overflow-safe in u64 -----------------------------

// [block, block + count) inside a device or partition of `capacity` units.
constexpr bool block_range_ok(uint64_t block, uint64_t count, uint64_t capacity) noexcept {
  return count <= capacity && block <= capacity - count;
}

// [offset, offset + count * 4096) inside a data region of `region_bytes`, offset 4096-aligned.
constexpr bool data_range_ok(uint64_t offset, uint64_t count, uint64_t region_bytes) noexcept {
  if (offset % BLK_TRANSFER_SIZE != 0) return false;
  const uint64_t units = region_bytes / BLK_TRANSFER_SIZE;
  return block_range_ok(offset / BLK_TRANSFER_SIZE, count, units);
}

constexpr bool valid_request_code(uint32_t code) noexcept { return code <= BLK_REQ_BARRIER; }
constexpr bool valid_response_status(uint32_t status) noexcept { return status <= BLK_RESP_ERR_NO_DEVICE; }

}  // namespace corokit::protocol
