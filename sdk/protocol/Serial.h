/* Serial device class: the sDDF 0.7 byte-queue layout (PROTOCOLS.md §5.1). The bytes live in a
 * separate data region whose size, a power of two, is the capacity. Usable from C and C++. */
#ifndef COROKIT_PROTOCOL_SERIAL_H
#define COROKIT_PROTOCOL_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "sdk/protocol/Layout.h"

#ifdef __cplusplus
extern "C" {
#endif

struct serial_queue {
  uint32_t tail;                /* producer-owned byte index */
  uint32_t head;                /* consumer-owned byte index */
  uint32_t producer_signalled;  /* 0 = the producer wants a notification when space frees */
};

#ifdef __cplusplus
}
#endif

COROKIT_STATIC_ASSERT(sizeof(struct serial_queue) == 12 && COROKIT_ALIGNOF(struct serial_queue) == 4,
                      "serial_queue layout");
COROKIT_STATIC_ASSERT(offsetof(struct serial_queue, tail) == 0 && offsetof(struct serial_queue, head) == 4 &&
                          offsetof(struct serial_queue, producer_signalled) == 8,
                      "serial_queue offsets");

#endif
