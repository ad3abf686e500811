// SDF scheduling parameters on Linux (HOST_BOARD.md "Scheduling on the host"): priority → SCHED_FIFO
// (order-preserving onto 1..98), budget < period → SCHED_DEADLINE, cpu → affinity; where the host
// refuses, SCHED_OTHER with nice values in priority order and one warning for the run.
#pragma once

#include <sys/types.h>

#include <string>

#include "system/runtime/RunOptions.h"
#include "system/sdf/Model.h"

namespace corokit::runtime {

// Applied in two steps, each returning what could not be honoured (empty if everything was):
// `cpu` as the PD process starts; priority, budget and period once its init() has returned, so a
// low priority (a high nice value, a small SCHED_DEADLINE budget) never slows the boot (start-up is
// not ordered across PDs in parallel mode, LIBMICROKIT.md §4.1). Single-runner mode uses neither
// priority mechanism: the monitor schedules.
std::string apply_affinity(pid_t pid, const sdf::ProtectionDomain& pd);
// `top_priority`: the highest SDF priority of the system, which runs at nice 0 (the monitor's).
std::string apply_priority(pid_t pid, const sdf::ProtectionDomain& pd, const RunOptions& options, uint64_t top_priority);

// Whether PD `pd` is pinned to a CPU that another PD is pinned to as well. Such a PD does not spin
// while idle: its notifications come mostly from its CPU-mates, which cannot run while it spins.
bool shares_pinned_cpu(const sdf::System& sys, uint32_t pd);

// The SCHED_FIFO priority for an SDF priority (0..254 → 1..98, order-preserving).
int fifo_priority(uint64_t sdf_priority);
// The nice value for an SDF priority when real-time scheduling is not available: 0 for the system's
// highest priority, up to 19 for a priority 254 below it (order-preserving). Never negative, so it
// needs no privilege, and the system's most important PDs compete with the rest of the machine as
// equals rather than starving behind it.
int nice_for(uint64_t sdf_priority, uint64_t top_priority);

}  // namespace corokit::runtime
