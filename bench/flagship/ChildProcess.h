// A process the benchmark starts (corokit run, nginx, wrk), its output in a file. It gets SIGTERM
// when the benchmark dies, however it dies (PR_SET_PDEATHSIG), and is stopped (SIGTERM, then
// SIGKILL after a grace period) and reaped when destroyed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "system/support/Result.h"

namespace corokit::bench {

class ChildProcess {
 public:
  // argv[0] is looked up in PATH; stdout and stderr go to `output_path`, stdin is /dev/null.
  static Result<ChildProcess> start(const std::vector<std::string>& argv, const std::string& output_path);

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  pid_t pid() const { return pid_; }
  bool running();
  // Waits for the exit; the exit status, or 128 + the signal that ended it.
  int wait();
  void stop();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

}  // namespace corokit::bench
