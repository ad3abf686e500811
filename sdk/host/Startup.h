// What the PD's startup code (before libc) leaves for the runtime: the boot descriptor and where each
// shared object got mapped.
#pragma once

#include <cstdint>

#include "sdk/host/Abi.h"

namespace corokit::host {

inline constexpr unsigned kMaxObjects = 256;

struct Boot {
  const BootDescriptor* descriptor = nullptr;
  void* objects[kMaxObjects] = {};
  ControlBlock* control = nullptr;
};

// Filled by corokit_host_early(); valid from libc's initialisation on.
extern Boot g_boot;

// Single-runner mode: give the CPU to the monitor and wait until it lets this PD run again. Usable
// before libc is initialised.
void yield_to_monitor(Yield why, uint32_t arg0 = 0, uint32_t arg1 = 0, uint32_t arg2 = 0);
// Tell the monitor to look at the control block.
void ring_monitor();

}  // namespace corokit::host
