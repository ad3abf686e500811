#include "system/runtime/ProcessLauncher.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sdk/host/Syscall.h"
#include "system/runtime/SeccompPolicy.h"

namespace corokit::runtime {
namespace {

using host::sys::call;

constexpr int kTempBase = 2000;
constexpr size_t kChildStack = 32 * 1024;

// Everything the child reads, owned by the Process until it is reaped.
struct Launch {
  SpawnSpec spec;
  pid_t parent = -1;
  char* argv[2] = {};
  char* envp[1] = {};
  alignas(64) char stack[kChildStack];
};

struct KernelSigaction {  // the kernel's struct sigaction (x86-64)
  unsigned long handler;
  unsigned long flags;
  unsigned long restorer;
  uint64_t mask;
};

[[noreturn]] void die(int code) {
  for (;;) call(SYS_exit_group, code);
}

// The child shares the monitor's memory until it executes the ELF (CLONE_VM: no page tables are
// copied, which is what makes starting 63 PDs cheap) while the monitor goes on starting the next PD.
// So it makes raw system calls only: no libc call that could write errno or take a lock, no
// allocation, no write to memory other than its own stack (and no sanitizer bookkeeping, which
// would write the monitor's shadow memory or use its thread's fake stacks).
__attribute__((no_sanitize("address", "undefined"))) int child_main(void* raw) {
  const Launch& l = *static_cast<const Launch*>(raw);
  const SpawnSpec& spec = l.spec;
  // Handlers are not shared (no CLONE_SIGHAND) but would run on shared memory: back to defaults
  // before any signal is unblocked (exec would reset them anyway).
  KernelSigaction dfl{};
  for (long sig = 1; sig <= 64; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) call(SYS_rt_sigaction, sig, reinterpret_cast<long>(&dfl), 0, 8);
  }
  int temps[256];
  size_t n = spec.fds.size() < 256 ? spec.fds.size() : 256;
  for (size_t i = 0; i < n; ++i) temps[i] = static_cast<int>(call(SYS_fcntl, spec.fds[i].first, F_DUPFD, kTempBase));
  long exec_tmp = call(SYS_fcntl, spec.exec_fd, F_DUPFD, kTempBase);
  int top = 0;
  for (size_t i = 0; i < n; ++i) {
    if (temps[i] < 0 || call(SYS_dup2, temps[i], spec.fds[i].second) < 0) die(126);
    if (spec.fds[i].second > top) top = spec.fds[i].second;
  }
  if (exec_tmp < 0 || call(SYS_dup2, exec_tmp, kFdExec) < 0) die(126);
  call(SYS_fcntl, kFdExec, F_SETFD, FD_CLOEXEC);
  call(SYS_close_range, top + 1, kFdExec - 1, 0);
  call(SYS_close_range, kFdExec + 1, ~0u, 0);

  // Its own session: no terminal signals. With scheduler autogroups that also makes it a scheduling
  // group of its own, so its priority is applied to the group as well (Scheduling.cpp).
  call(SYS_setsid);
  call(SYS_personality, ADDR_NO_RANDOMIZE);
  rlimit core{0, 0};
  call(SYS_prlimit64, 0, RLIMIT_CORE, reinterpret_cast<long>(&core), 0);
  call(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  if (call(SYS_getppid) != l.parent) die(125);

  if (spec.filter != nullptr) {
    sock_fprog prog{static_cast<unsigned short>(spec.filter->size()), const_cast<sock_filter*>(spec.filter->data())};
    if (call(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(124);
    if (call(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<long>(&prog)) != 0) die(124);
  }
  uint64_t none = 0;
  call(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, 8);
  call(SYS_execveat, kFdExec, reinterpret_cast<long>(""), reinterpret_cast<long>(l.argv), reinterpret_cast<long>(l.envp),
       AT_EMPTY_PATH);
  die(127);
}

}  // namespace

Result<Process> spawn_process(const SpawnSpec& spec) {
  auto launch = std::make_shared<Launch>();
  launch->spec = spec;
  launch->parent = getpid();
  launch->argv[0] = launch->spec.argv0.data();
  // Nothing may be delivered to the child before it has reset its handlers.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  pid_t pid = clone(child_main, launch->stack + kChildStack, CLONE_VM | CLONE_PIDFD | SIGCHLD, launch.get(), &pidfd);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return Error{std::string("clone: ") + std::strerror(err)};
  Process p;
  p.pid = pid;
  p.pidfd = Fd(pidfd);
  p.launch = std::move(launch);
  return p;
}

int kill_and_reap(Process& p) {
  int status = 0;
  if (p.pid <= 0) return 0;
  syscall(SYS_pidfd_send_signal, p.pidfd.get(), SIGKILL, nullptr, 0);
  while (waitpid(p.pid, &status, 0) < 0 && errno == EINTR) {
  }
  p.pid = -1;
  p.pidfd = Fd();
  p.launch.reset();
  return status;
}

}  // namespace corokit::runtime
