// What /proc says about a process and its descendants (a `corokit run` and its PD processes, or
// nginx): CPU time and context switches summed over every thread, and memory (PSS, RSS). The
// difference of two snapshots gives the cost of the work done in between.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace corokit::bench {

struct ProcessSample {
  std::string name;                 // argv[0]: "corokit:<pd>" for a PD
  uint64_t cpu_ns = 0;              // on-CPU time of every thread (schedstat)
  uint64_t voluntary_switches = 0;  // every thread: each one is a sleep, so a later wake-up
  uint64_t involuntary_switches = 0;
  uint64_t pss_kib = 0;
  uint64_t rss_kib = 0;
};

class ProcessTree {
 public:
  // The roots and every process whose parent chain leads to one of them.
  static ProcessTree sample(const std::vector<pid_t>& roots);

  const std::map<pid_t, ProcessSample>& processes() const { return processes_; }
  // Per process name, `later` minus `this` (processes present in both).
  std::map<std::string, ProcessSample> delta_to(const ProcessTree& later) const;

 private:
  std::map<pid_t, ProcessSample> processes_;
};

}  // namespace corokit::bench
