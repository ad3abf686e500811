// The system-call filter every PD runs under, built by the monitor with libseccomp and installed in
// the PD's process before its ELF is executed, so it binds from the PD's first instruction (a PD
// that skips corokit's startup code is confined all the same). Anything not listed stops the PD with
// SIGSYS, which the PD runtime reports as a fault of kind UnknownSyscall.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "system/support/Result.h"

namespace corokit::runtime {

// File descriptors a driver PD may use for its device (HOST_BOARD.md): the operations allowed on
// them depend on the device kind.
struct DeviceGrant {
  enum class Kind { Timer, ConsoleIn, ConsoleOut, Nic, BlockRing, BlockImage, BlockImageReadOnly } kind;
  int fd;
};

// The descriptor the monitor's exec uses (closed on exec, so a PD cannot exec again).
inline constexpr int kFdExec = 1000;

Result<std::vector<sock_filter>> build_pd_filter(const std::vector<DeviceGrant>& devices);

}  // namespace corokit::runtime
