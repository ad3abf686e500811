// `corokit run --stats PATH` (docs/runtime.md, "Counters"): the runtime counters of every PD, read
// from their control blocks, as one JSON document; written when the run ends and whenever the
// monitor receives SIGUSR1, each time replacing the file atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdk/PdCounters.h"
#include "system/support/Result.h"

namespace corokit::runtime {

// A plain copy of a PdCounters block (which is atomics, written by another process).
struct CounterValues {
  uint64_t futex_wakes = 0, futex_waits = 0, calls_made = 0, calls_served = 0;
  uint64_t irqs_delivered = 0, irqs_acked = 0, copies = 0, copied_bytes = 0;
  uint64_t notifications[counters::kChannels] = {};
  uint64_t notified[counters::kChannels] = {};

  static CounterValues read(const counters::PdCounters& block);
  void store(counters::PdCounters& block) const;  // while no PD process uses the block
  uint64_t notifications_total() const;
  uint64_t notified_total() const;
  CounterValues& operator+=(const CounterValues& other);
};

struct PdStats {
  std::string name;
  unsigned restarts = 0;  // times the monitor started the PD's process again (counters carry over)
  CounterValues values;
};

// What the monitor itself does for the PDs: FUTEX_WAKEs (IRQs raised to a sleeping driver, replies
// to requests, single-runner hand-overs) and IRQs raised.
struct MonitorStats {
  uint64_t futex_wakes = 0;
  uint64_t irqs_raised = 0;
};

struct StatsSnapshot {
  uint64_t sequence = 0;  // 1, 2, ... in the order written
  bool final = false;     // written at the end of the run
  double time_ms = 0;     // since the run started
  std::vector<PdStats> pds;
  MonitorStats monitor;
};

std::string stats_json(const StatsSnapshot& snapshot);

// Writes `text` to a temporary file next to `path` and renames it over `path`: a reader sees the
// old document or the new one, never a partial one.
Status write_file_atomically(const std::string& path, const std::string& text);

}  // namespace corokit::runtime
