/* Block device class: the sDDF 0.7 queue and storage-info layouts (PROTOCOLS.md §3.2).
 * Shared by the block driver, the block virtualiser and the client adapter; usable from C and C++,
 * freestanding. Byte-compatible with sDDF; the code that uses it follows PROTOCOLS.md, not sDDF. */
#ifndef COROKIT_PROTOCOL_BLOCK_H
#define COROKIT_PROTOCOL_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "sdk/protocol/Layout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BLK_TRANSFER_SIZE 4096u
#define BLK_STORAGE_INFO_SIZE 4096u
#define BLK_SERIAL_NUMBER_LEN 64u

enum blk_req_code { BLK_REQ_READ = 0, BLK_REQ_WRITE = 1, BLK_REQ_FLUSH = 2, BLK_REQ_BARRIER = 3 };

enum blk_resp_status {
  BLK_RESP_OK = 0,
  BLK_RESP_ERR_UNSPEC = 1,
  BLK_RESP_ERR_INVALID_PARAM = 2,
  BLK_RESP_ERR_IO = 3,
  BLK_RESP_ERR_NO_DEVICE = 4,
};

struct blk_req {
  uint32_t code;          /* enum blk_req_code */
  uint64_t io_or_offset;  /* offset in the client data region, or I/O address (virtualiser -> driver) */
  uint64_t block_number;  /* in BLK_TRANSFER_SIZE units */
  uint16_t count;         /* number of BLK_TRANSFER_SIZE units */
  uint32_t id;            /* chosen by the producer, echoed in the response */
};

struct blk_resp {
  uint32_t status;         /* enum blk_resp_status */
  uint16_t success_count;  /* units transferred before the first failure */
  uint32_t id;
};

/* Request queue: head before tail (the network queue is the opposite). */
struct blk_req_queue {
  uint32_t head;    /* consumer-owned */
  uint32_t tail;    /* producer-owned */
  uint8_t plugged;  /* reserved: producers write 0, consumers ignore */
  struct blk_req slots[];
};

struct blk_resp_queue {
  uint32_t head;
  uint32_t tail;
  struct blk_resp slots[];
};

struct blk_storage_info {
  char serial_number[BLK_SERIAL_NUMBER_LEN]; /* NUL-terminated, at most 63 characters */
  uint8_t read_only;
  uint8_t ready;         /* release-stored last by the writer, acquire-loaded by the reader */
  uint16_t sector_size;  /* bytes: 512 or 4096 */
  uint16_t block_size;   /* preferred transfer size, in BLK_TRANSFER_SIZE units */
  uint16_t queue_depth;
  uint16_t cylinders;    /* geometry hint; 0 if unknown */
  uint16_t heads;
  uint16_t blocks;
  uint64_t capacity;     /* in BLK_TRANSFER_SIZE units */
};

/* Bytes a queue region needs for `capacity` slots, before rounding to pages. */
#define BLK_REQ_QUEUE_BYTES(capacity) (16u + 32u * (size_t)(capacity))
#define BLK_RESP_QUEUE_BYTES(capacity) (8u + 12u * (size_t)(capacity))

#ifdef __cplusplus
}
#endif

COROKIT_STATIC_ASSERT(sizeof(struct blk_req) == 32 && COROKIT_ALIGNOF(struct blk_req) == 8, "blk_req layout");
COROKIT_STATIC_ASSERT(offsetof(struct blk_req, code) == 0 && offsetof(struct blk_req, io_or_offset) == 8 &&
                          offsetof(struct blk_req, block_number) == 16 && offsetof(struct blk_req, count) == 24 &&
                          offsetof(struct blk_req, id) == 28,
                      "blk_req offsets");
COROKIT_STATIC_ASSERT(sizeof(struct blk_resp) == 12 && COROKIT_ALIGNOF(struct blk_resp) == 4, "blk_resp layout");
COROKIT_STATIC_ASSERT(offsetof(struct blk_resp, status) == 0 && offsetof(struct blk_resp, success_count) == 4 &&
                          offsetof(struct blk_resp, id) == 8,
                      "blk_resp offsets");
COROKIT_STATIC_ASSERT(offsetof(struct blk_req_queue, head) == 0 && offsetof(struct blk_req_queue, tail) == 4 &&
                          offsetof(struct blk_req_queue, plugged) == 8 && offsetof(struct blk_req_queue, slots) == 16,
                      "blk_req_queue layout");
COROKIT_STATIC_ASSERT(offsetof(struct blk_resp_queue, head) == 0 && offsetof(struct blk_resp_queue, tail) == 4 &&
                          offsetof(struct blk_resp_queue, slots) == 8,
                      "blk_resp_queue layout");
COROKIT_STATIC_ASSERT(sizeof(struct blk_storage_info) == 88 && COROKIT_ALIGNOF(struct blk_storage_info) == 8,
                      "blk_storage_info layout");
COROKIT_STATIC_ASSERT(offsetof(struct blk_storage_info, read_only) == 64 &&
                          offsetof(struct blk_storage_info, ready) == 65 &&
                          offsetof(struct blk_storage_info, sector_size) == 66 &&
                          offsetof(struct blk_storage_info, block_size) == 68 &&
                          offsetof(struct blk_storage_info, queue_depth) == 70 &&
                          offsetof(struct blk_storage_info, cylinders) == 72 &&
                          offsetof(struct blk_storage_info, heads) == 74 &&
                          offsetof(struct blk_storage_info, blocks) == 76 &&
                          offsetof(struct blk_storage_info, capacity) == 80,
                      "blk_storage_info offsets");
COROKIT_STATIC_ASSERT(sizeof(enum blk_req_code) == 4, "enums are 4 bytes (never -fshort-enums)");

#endif
