// Starting one PD process: clone sharing the monitor's memory until exec (as vfork does), hand over
// exactly the descriptors the PD is entitled to at fixed numbers, detach from the terminal, turn off
// address-space randomisation, install the seccomp filter and execute the ELF from a sealed memfd.
// The process dies with the monitor (PR_SET_PDEATHSIG).
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "system/runtime/SharedObject.h"
#include "system/support/Result.h"

namespace corokit::runtime {

struct SpawnSpec {
  int exec_fd = -1;                          // the ELF
  std::vector<std::pair<int, int>> fds;      // (descriptor in the monitor, number in the PD)
  const std::vector<sock_filter>* filter = nullptr;
  std::string argv0;
};

struct Process {
  pid_t pid = -1;
  Fd pidfd;
  // What the child reads until it has executed the ELF (its stack, a copy of the spec): kept as
  // long as the process is.
  std::shared_ptr<void> launch;
};

// Returns as soon as the child exists: it sets itself up and executes the ELF concurrently, so
// starting many PDs does not wait for each exec in turn. `spec.filter` must outlive the process.
Result<Process> spawn_process(const SpawnSpec& spec);

// Kills (SIGKILL) and reaps; returns the wait status.
int kill_and_reap(Process& p);

}  // namespace corokit::runtime
