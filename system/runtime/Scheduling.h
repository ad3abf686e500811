// SDF scheduling parameters on Linux (HOST_BOARD.md "Scheduling on the host"): priority → SCHED_FIFO
// (order-preserving onto 1..98), budget < period → SCHED_DEADLINE, cpu → affinity; where the host
// refuses, SCHED_OTHER with nice values in priority order and one warning for the run.
#pragma once

#include <sys/types.h>

#include <string>

#include "system/runtime/RunOptions.h"
#include "system/sdf/Model.h"

namespace corokit::runtime {

// Applies what it can to a freshly started PD process. Returns what could not be honoured (empty if
// everything was).
std::string apply_scheduling(pid_t pid, const sdf::ProtectionDomain& pd, const RunOptions& options, bool single_runner);

// The SCHED_FIFO priority for an SDF priority (0..254 → 1..98, order-preserving).
int fifo_priority(uint64_t sdf_priority);
// nice value for an SDF priority when real-time scheduling is not available (higher priority → lower nice).
int nice_for(uint64_t sdf_priority);

}  // namespace corokit::runtime
