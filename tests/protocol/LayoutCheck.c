/* The protocol headers compiled as C: their layout assertions hold for a C compiler too, and the
 * values below are what the C++ tests compare against. */
#include <stddef.h>

#include "sdk/protocol/Block.h"
#include "sdk/protocol/Net.h"
#include "sdk/protocol/Serial.h"

size_t corokit_c_layout[] = {
    sizeof(struct blk_req),          offsetof(struct blk_req, id),
    sizeof(struct blk_resp),         offsetof(struct blk_resp, id),
    offsetof(struct blk_req_queue, slots), offsetof(struct blk_resp_queue, slots),
    sizeof(struct blk_storage_info), offsetof(struct blk_storage_info, capacity),
    sizeof(struct net_buff_desc),    offsetof(struct net_queue, slots),
    sizeof(struct serial_queue),
};
