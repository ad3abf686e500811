// The monitor: `corokit run`'s supervisor. Boots a packed system (one sandboxed process per PD,
// every MR and IPC object created and handed out as the SDF grants), then plays seL4 and Microkit's
// monitor: routes faults, serves child control and the passive hand-shake, raises device IRQs,
// prints PD output line by line, schedules in single-runner mode, and cleans up.
#pragma once

#include <cstdint>

#include "system/image/SystemImage.h"
#include "system/runtime/RunOptions.h"

namespace corokit::runtime {

struct RunResult {
  int exit_code = 0;        // 0: no PD faulted; 1: a fault was reported; 2: the system could not boot
  bool faulted = false;
  double boot_ms = -1;      // until every init() returned (-1: not reached)
  double prepared_ms = -1;  // until every object and boot descriptor existed
  double started_ms = -1;   // until every PD process had been started
};

// Boots `image` and runs it until it finishes, a stop condition of `options` is met, or SIGINT /
// SIGTERM arrives. Output goes to `out_fd`. Leaves no process, shared memory or file behind.
RunResult run_system(const image::SystemImage& image, const RunOptions& options, int out_fd = 1);

}  // namespace corokit::runtime
