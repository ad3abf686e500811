// The queue views (SharedQueue.h) over each device class's sDDF layout.
#pragma once

#include "sdk/protocol/Block.h"
#include "sdk/protocol/Net.h"
#include "sdk/protocol/SharedQueue.h"

namespace corokit::protocol {

using BlockRequests = QueueRegion<blk_req, uint32_t>;
using BlockResponses = QueueRegion<blk_resp, uint32_t>;
using NetQueue = QueueRegion<net_buff_desc, uint16_t>;

inline BlockRequests block_requests(blk_req_queue* q, uint32_t capacity) {
  return {&q->head, &q->tail, q->slots, capacity};
}
inline BlockResponses block_responses(blk_resp_queue* q, uint32_t capacity) {
  return {&q->head, &q->tail, q->slots, capacity};
}
inline NetQueue net_queue_region(net_queue* q, uint16_t capacity) {
  return {&q->head, &q->tail, q->slots, capacity};
}

}  // namespace corokit::protocol
