// The registers of a host-board block device (HOST_BOARD.md: block n, IRQ 48 + n, window
// 0x0a00_0000 + n × 0x1000), at kBlockRegistersOffset in its information page, after the common
// DeviceInfo header. The monitor fills them from the disk image attached with `corokit run --disk`.
//
// The device is an io_uring the monitor creates for the image and hands to the driver (DeviceInfo::fd
// in the driver): created disabled, restricted to READ, WRITE, FSYNC and NOP on registered file 0
// (the image; IOSQE_FIXED_FILE is required on every submission, so no other file is reachable), then
// enabled. The driver maps it with io_uring_queue_mmap(fd, &ring_params, ...) and submits with
// io_uring_enter; it never sets up a ring of its own. The IRQ is the ring's completion queue
// becoming non-empty (level-triggered: completions left after irq_ack raise it again).
//
// Beside the ring the driver gets the image itself (DeviceInfo::fd2; -1 for an O_DIRECT image) for
// synchronous transfers that io_uring would only make slower (docs/block.md, Performance): its
// filter allows preadv2 on it with RWF_NOWAIT only (a read that never waits for the disk) and, unless
// the image is read-only, pwrite64. Everything else (flushes, reads that would wait) stays on the ring.
#pragma once

#include <linux/io_uring.h>

#include <cstdint>

#include "sdk/host/DeviceInfo.h"

namespace corokit::host {

inline constexpr uint32_t kBlockRegistersOffset = 0x100;
inline constexpr uint32_t kBlockRegistersMagic = 0x6b6c6263;  // "cblk"
// The k-th block device of a driver PD has its ring at descriptor kFdBlockFirst + 2k and its image at
// kFdBlockFirst + 2k + 1 (so a PD drives at most three).
inline constexpr int kFdBlockFirst = 9;  // after kFdNic (DeviceInfo.h)
inline constexpr int kFdBlockLast = 15;

struct BlockRegisters {
  uint32_t magic;
  uint32_t version;         // 1
  uint64_t size_bytes;      // the image size, fixed for the run
  uint64_t capacity;        // in 4096-byte units (a shorter tail is not addressable)
  uint32_t sector_size;     // logical sector size: 512 or 4096
  uint32_t read_only;       // the image is open read-only (the ring refuses writes)
  uint32_t direct;          // the image is open with O_DIRECT
  uint32_t fixed_file;      // the image's index among the ring's registered files
  char serial[64];          // NUL-terminated
  io_uring_params ring_params;  // as io_uring_setup returned them
};

static_assert(sizeof(DeviceInfo) <= kBlockRegistersOffset, "the common header ends before the block registers");
static_assert(kBlockRegistersOffset + sizeof(BlockRegisters) <= 0x1000, "the registers fit the window");

inline const BlockRegisters* block_registers(const void* info_page) {
  return reinterpret_cast<const BlockRegisters*>(static_cast<const unsigned char*>(info_page) + kBlockRegistersOffset);
}

}  // namespace corokit::host
