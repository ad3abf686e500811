#include "system/runtime/SeccompPolicy.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "sdk/host/Abi.h"
#include "system/runtime/SharedObject.h"

namespace corokit::runtime {
namespace {

struct ContextDeleter {
  void operator()(scmp_filter_ctx c) const { seccomp_release(c); }
};

Result<std::vector<sock_filter>> compile_pd_filter(const std::vector<DeviceGrant>& devices) {
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(SCMP_ACT_TRAP));
  if (!ctx) return Error{"seccomp_init failed"};
  scmp_filter_ctx c = ctx.get();
  int rc = 0;
  auto allow = [&](int nr, unsigned argc = 0, const scmp_arg_cmp* args = nullptr) {
    if (rc == 0) rc = seccomp_rule_add_array(c, SCMP_ACT_ALLOW, nr, argc, args);
  };
  auto refuse = [&](int nr, int err) {
    if (rc == 0) rc = seccomp_rule_add(c, SCMP_ACT_ERRNO(static_cast<uint32_t>(err)), nr, 0);
  };

  // The runtime: waiting and waking, memory for libc's allocator, signals for fault handling, time.
  for (int nr : {SCMP_SYS(futex), SCMP_SYS(futex_waitv), SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap),
                 SCMP_SYS(madvise), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
                 SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction), SCMP_SYS(sigaltstack), SCMP_SYS(clock_gettime),
                 SCMP_SYS(clock_getres), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday),
                 SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getcpu), SCMP_SYS(sched_yield),
                 SCMP_SYS(sched_getaffinity), SCMP_SYS(getrandom), SCMP_SYS(restart_syscall), SCMP_SYS(fstat),
                 SCMP_SYS(close), SCMP_SYS(close_range), SCMP_SYS(arch_prctl), SCMP_SYS(set_tid_address),
                 SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(mmap), SCMP_SYS(mprotect)}) {
    allow(nr);
  }
  // Console lines (fds 1 and 2) and the monitor's doorbell (fd 3).
  for (int fd : {1, 2, host::kFdMonitor}) {
    scmp_arg_cmp a = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd));
    allow(SCMP_SYS(write), 1, &a);
  }
  {
    scmp_arg_cmp a = SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME);
    allow(SCMP_SYS(prctl), 1, &a);
    scmp_arg_cmp b = SCMP_A2(SCMP_CMP_EQ, 0);  // reading a limit, never setting one
    allow(SCMP_SYS(prlimit64), 1, &b);
    scmp_arg_cmp e = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(kFdExec));
    allow(SCMP_SYS(execveat), 1, &e);
  }
  // glibc's qsort asks for the RAM size once (sysinfo) to size its buffer; OpenSSL sorts its cipher
  // table when a TLS context is made. Allowed rather than refused: glibc ignores the error and
  // would read an unset struct. It tells the PD the host's RAM, load and uptime, nothing more.
  allow(SCMP_SYS(sysinfo));
  // Harmless probes of libc's start-up and stdio get an error instead of a fault.
  refuse(SCMP_SYS(readlink), ENOENT);
  refuse(SCMP_SYS(newfstatat), EPERM);
  refuse(SCMP_SYS(ioctl), ENOTTY);

  for (const DeviceGrant& d : devices) {
    scmp_arg_cmp a = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(d.fd));
    switch (d.kind) {
      case DeviceGrant::Kind::Timer:
        allow(SCMP_SYS(timerfd_settime), 1, &a);
        allow(SCMP_SYS(timerfd_gettime), 1, &a);
        allow(SCMP_SYS(read), 1, &a);
        break;
      case DeviceGrant::Kind::ConsoleIn:
        allow(SCMP_SYS(read), 1, &a);
        break;
      case DeviceGrant::Kind::ConsoleOut:
        allow(SCMP_SYS(write), 1, &a);
        break;
      case DeviceGrant::Kind::Nic:  // one frame per read or write (TAP or the slirp socketpair)
        allow(SCMP_SYS(read), 1, &a);
        allow(SCMP_SYS(write), 1, &a);
        break;
      case DeviceGrant::Kind::BlockRing:
        // The ring the monitor created and restricted (DiskBackend.h); mapping it needs only the
        // base policy's mmap. No io_uring_setup: a driver never gets an unrestricted ring.
        allow(SCMP_SYS(io_uring_enter), 1, &a);
        allow(SCMP_SYS(io_uring_register), 1, &a);
        break;
      case DeviceGrant::Kind::BlockImage:
      case DeviceGrant::Kind::BlockImageReadOnly: {
        // The disk image itself, for the driver's synchronous transfers (sdk/host/BlockDevice.h):
        // reads only with RWF_NOWAIT (page-cache hits; anything that would wait for the disk goes
        // through the ring), writes with pwrite64 unless the image is read-only (then the
        // descriptor is O_RDONLY as well). preadv2's flags are its sixth argument on x86-64.
        scmp_arg_cmp nowait[2] = {a, SCMP_A5(SCMP_CMP_EQ, static_cast<scmp_datum_t>(RWF_NOWAIT))};
        allow(SCMP_SYS(preadv2), 2, nowait);
        if (d.kind == DeviceGrant::Kind::BlockImage) allow(SCMP_SYS(pwrite64), 1, &a);
        break;
      }
    }
  }
  if (rc != 0) return Error{std::string("building the seccomp filter: ") + std::strerror(-rc)};

  int fd = memfd_create("corokit-bpf", MFD_CLOEXEC);
  if (fd < 0) return Error{"memfd for the seccomp filter"};
  Fd out(fd);
  rc = seccomp_export_bpf(c, out.get());
  if (rc != 0) return Error{std::string("exporting the seccomp filter: ") + std::strerror(-rc)};
  off_t size = lseek(out.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) return Error{"seccomp filter has a bad size"};
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(out.get(), prog.data(), static_cast<size_t>(size), 0) != size) return Error{"reading the seccomp filter"};
  return prog;
}

}  // namespace

// libseccomp takes about a millisecond per filter; the program depends only on the grants, so it is
// compiled once per process for each set of grants (runs of the monitor in one process share it).
Result<std::vector<sock_filter>> build_pd_filter(const std::vector<DeviceGrant>& devices) {
  static std::mutex lock;
  static std::map<std::vector<std::pair<int, int>>, std::vector<sock_filter>> cache;
  std::vector<std::pair<int, int>> key;
  for (const DeviceGrant& d : devices) key.emplace_back(static_cast<int>(d.kind), d.fd);
  std::lock_guard<std::mutex> guard(lock);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  Result<std::vector<sock_filter>> prog = compile_pd_filter(devices);
  if (prog) cache.emplace(std::move(key), *prog);
  return prog;
}

}  // namespace corokit::runtime
