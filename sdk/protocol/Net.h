/* Network device class: the sDDF 0.7 buffer descriptor and queue layouts (PROTOCOLS.md §4.2).
 * Shared by the NIC driver, the Rx/Tx virtualisers, the copier and the client adapter; usable from C
 * and C++, freestanding. */
#ifndef COROKIT_PROTOCOL_NET_H
#define COROKIT_PROTOCOL_NET_H

#include <stddef.h>
#include <stdint.h>

#include "sdk/protocol/Layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_BUFFER_SIZE 2048u
#define NET_MIN_FRAME 14u  /* an Ethernet header */
#define NET_OID_REGION_MASK 0x3fu

struct net_buff_desc {
  uint64_t io_or_offset;  /* offset into the data region (client side) or I/O address (driver side) */
  uint16_t len;           /* valid bytes in the buffer: the exact frame length on Rx */
  uint8_t oid;            /* bits 0..5: region id (vswitch links only, else 0); bits 6..7 reserved */
};

/* Tail before head (the block queues are the opposite). */
struct net_queue {
  uint16_t tail;                /* producer-owned */
  uint16_t head;                /* consumer-owned */
  uint32_t consumer_signalled;  /* 0 = the consumer wants a notification (PROTOCOLS.md §1.4) */
  struct net_buff_desc slots[];
};

#define NET_QUEUE_BYTES(capacity) (8u + 16u * (size_t)(capacity))

#ifdef __cplusplus
}
#endif

COROKIT_STATIC_ASSERT(sizeof(struct net_buff_desc) == 16 && COROKIT_ALIGNOF(struct net_buff_desc) == 8, "net_buff_desc layout");
COROKIT_STATIC_ASSERT(offsetof(struct net_buff_desc, io_or_offset) == 0 && offsetof(struct net_buff_desc, len) == 8 &&
                       offsetof(struct net_buff_desc, oid) == 10,
                   "net_buff_desc offsets");
COROKIT_STATIC_ASSERT(offsetof(struct net_queue, tail) == 0 && offsetof(struct net_queue, head) == 2 &&
                       offsetof(struct net_queue, consumer_signalled) == 4 && offsetof(struct net_queue, slots) == 8,
                   "net_queue layout");

#endif
