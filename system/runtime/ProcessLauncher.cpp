#include "system/runtime/ProcessLauncher.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "system/runtime/SeccompPolicy.h"

namespace corokit::runtime {
namespace {

constexpr int kTempBase = 2000;

// In the child: async-signal-safe calls only.
[[noreturn]] void child_main(const SpawnSpec& spec, pid_t parent, char* const* argv, char* const* envp) {
  int temps[256];
  size_t n = spec.fds.size() < 256 ? spec.fds.size() : 256;
  for (size_t i = 0; i < n; ++i) temps[i] = fcntl(spec.fds[i].first, F_DUPFD, kTempBase);
  int exec_tmp = fcntl(spec.exec_fd, F_DUPFD, kTempBase);
  int top = 0;
  for (size_t i = 0; i < n; ++i) {
    if (temps[i] < 0 || dup2(temps[i], spec.fds[i].second) < 0) _exit(126);
    if (spec.fds[i].second > top) top = spec.fds[i].second;
  }
  if (exec_tmp < 0 || dup2(exec_tmp, kFdExec) < 0) _exit(126);
  fcntl(kFdExec, F_SETFD, FD_CLOEXEC);
  syscall(SYS_close_range, top + 1, kFdExec - 1, 0);
  syscall(SYS_close_range, kFdExec + 1, ~0u, 0);

  setsid();
  personality(ADDR_NO_RANDOMIZE);
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(125);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);

  if (spec.filter != nullptr) {
    sock_fprog prog{static_cast<unsigned short>(spec.filter->size()), const_cast<sock_filter*>(spec.filter->data())};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(124);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) _exit(124);
  }
  syscall(SYS_execveat, kFdExec, "", argv, envp, AT_EMPTY_PATH);
  _exit(127);
}

}  // namespace

Result<Process> spawn_process(const SpawnSpec& spec) {
  std::string argv0 = spec.argv0;
  char* argv[] = {argv0.data(), nullptr};
  char* envp[] = {nullptr};
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) child_main(spec, parent, argv, envp);
  Process p;
  p.pid = pid;
  p.pidfd = Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!p.pidfd.valid()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return Error{std::string("pidfd_open: ") + std::strerror(errno)};
  }
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
  return status;
}

}  // namespace corokit::runtime
