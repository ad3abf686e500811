// The runtime counters of a running `corokit run --stats PATH` (docs/runtime.md, "Counters"): a
// snapshot is asked for with SIGUSR1 and read once the monitor has replaced the file with a newer
// one. The difference of two snapshots counts the work done in between, per PD.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "system/support/Result.h"

namespace corokit::bench {

struct PdCounts {
  double notifications = 0;  // raised
  double notified = 0;       // delivered (notified() calls, IRQs included)
  double irqs = 0;           // IRQs delivered
  double futex_wakes = 0;
  double futex_waits = 0;
  double calls = 0;          // protected calls made
  double copies = 0;
  double copied_bytes = 0;

  PdCounts& operator+=(const PdCounts& o);
  PdCounts operator-(const PdCounts& o) const;
};

struct CounterSnapshot {
  uint64_t sequence = 0;
  std::map<std::string, PdCounts> pds;  // by PD name
  double monitor_futex_wakes = 0;       // the monitor waking PDs (IRQs raised to sleeping drivers)

  // Sends SIGUSR1 to `monitor` and waits (up to 10 s) for a snapshot newer than `after`.
  static Result<CounterSnapshot> take(pid_t monitor, const std::string& path, uint64_t after);
  PdCounts total() const;
};

}  // namespace corokit::bench
