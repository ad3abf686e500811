#include "system/runtime/Scheduling.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace corokit::runtime {
namespace {

struct SchedAttr {  // struct sched_attr (not in glibc 2.36's headers)
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};
constexpr uint32_t kSchedDeadline = 6;

// Every PD is a session of its own (ProcessLauncher), which with scheduler autogroups is a group of
// its own: CFS shares the CPU between groups first, so a nice value only counts within a group. The
// group's nice carries the priority between PDs.
void set_autogroup_nice(pid_t pid, int nice) {
  int fd = open(("/proc/" + std::to_string(pid) + "/autogroup").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;  // a kernel without autogroups: the process's nice value is all there is
  std::string v = std::to_string(nice);
  (void)!write(fd, v.data(), v.size());
  close(fd);
}

}  // namespace

int fifo_priority(uint64_t p) { return 1 + static_cast<int>((p > 254 ? 254 : p) * 97 / 254); }
int nice_for(uint64_t p, uint64_t top) {
  p = p > 254 ? 254 : p;
  top = top > 254 ? 254 : top;
  return p >= top ? 0 : static_cast<int>((top - p) * 19 / 254);
}

std::string apply_affinity(pid_t pid, const sdf::ProtectionDomain& pd) {
  // Only an explicit cpu pins: without one the host places the PD (seL4 would use core 0).
  std::string missing;
  if (!pd.cpu) return missing;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (static_cast<long>(*pd.cpu) < cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(*pd.cpu, &set);
    if (sched_setaffinity(pid, sizeof set, &set) != 0) missing += "cpu (" + std::string(std::strerror(errno)) + ")";
  } else {
    missing += "cpu " + std::to_string(*pd.cpu) + " (the host has " + std::to_string(cpus) + " CPUs)";
  }
  return missing;
}

bool shares_pinned_cpu(const sdf::System& sys, uint32_t pd) {
  const std::optional<uint64_t>& cpu = sys.pds[pd].cpu;
  if (!cpu) return false;
  for (uint32_t i = 0; i < sys.pds.size(); ++i) {
    if (i != pd && sys.pds[i].cpu == cpu) return true;
  }
  return false;
}

std::string apply_priority(pid_t pid, const sdf::ProtectionDomain& pd, const RunOptions& options, uint64_t top_priority) {
  std::string missing;
  bool rt = options.sched != RunOptions::Sched::Other;
  bool done = false;
  if (rt && pd.budget < pd.period) {
    SchedAttr a{};
    a.size = sizeof a;
    a.sched_policy = kSchedDeadline;
    a.sched_runtime = pd.budget * 1000;
    a.sched_deadline = pd.period * 1000;
    a.sched_period = pd.period * 1000;
    done = syscall(SYS_sched_setattr, pid, &a, 0) == 0;
    if (!done) missing += std::string(missing.empty() ? "" : ", ") + "budget/period (SCHED_DEADLINE: " + std::strerror(errno) + ")";
  }
  if (rt && !done) {
    sched_param sp{};
    sp.sched_priority = fifo_priority(pd.priority);
    done = sched_setscheduler(pid, SCHED_FIFO, &sp) == 0;
    if (!done) missing += std::string(missing.empty() ? "" : ", ") + "priority (SCHED_FIFO: " + std::strerror(errno) + ")";
  }
  if (!done) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(pid), nice_for(pd.priority, top_priority));
    set_autogroup_nice(pid, nice_for(pd.priority, top_priority));
  }
  if (!rt && pd.budget < pd.period) missing += std::string(missing.empty() ? "" : ", ") + "budget/period (--sched=other)";
  return missing;
}

}  // namespace corokit::runtime
