// The register window of a host-board device as a PD sees it (HOST_BOARD.md): an information page
// the monitor fills, mapped read-only by the PDs that map the device's MR. A driver reads its
// configuration and the descriptors of its host resource here, as a real driver reads registers.
#pragma once

#include <cstdint>

namespace corokit::host {

inline constexpr uint32_t kDeviceInfoMagic = 0x76656463;  // "cdev"

// Descriptors a driver PD finds its device's host resource at (only the driver has them).
inline constexpr int kFdTimer = 5;        // a CLOCK_MONOTONIC timerfd: program it, read it to consume expiries
inline constexpr int kFdConsoleIn = 6;    // console input (read, non-blocking)
inline constexpr int kFdConsoleOut = 7;   // console output (raw bytes, no PD prefix)
inline constexpr int kFdNic = 8;          // NIC frames: read() one frame (returns its length), write() one frame
inline constexpr int kFdFirstRuntime = 16;

struct DeviceInfo {
  uint32_t magic;
  uint32_t version;
  uint32_t kind;        // board::DeviceKind: 0 console, 1 timer, 2 block, 3 NIC
  uint32_t index;       // block n, NIC n
  uint32_t irq;         // the host-board IRQ number
  int32_t fd;           // the host resource in the driver (kFdTimer, kFdConsoleIn, ...); -1 elsewhere
  int32_t fd2;          // a second descriptor (console output; block: the image), or -1
  uint32_t reserved;
  uint64_t clock_resolution_ns;  // timer
  char backend[64];              // "timerfd", "stdio", "file:/tmp/x", "tap:tap0", "user", ...
  uint64_t clock_epoch_ns;       // timer: the CLOCK_MONOTONIC reading that is time 0 of the system (0x68)
  uint8_t mac[6];                // NIC: the device's own address (locally administered)
  uint16_t mtu;                  // NIC: the largest IP packet; frames carry 14 more bytes
};

}  // namespace corokit::host
