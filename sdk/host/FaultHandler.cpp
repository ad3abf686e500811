#include "sdk/host/FaultHandler.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "sdk/Console.h"
#include "sdk/host/Ipc.h"
#include "sdk/host/Startup.h"
#include "sdk/include/microkit.h"

namespace corokit::host {
namespace {

ControlBlock* g_control = nullptr;
constexpr size_t kAltStackSize = 64 * 1024;

void fill(FaultRecord& f, int sig, const siginfo_t* si, const ucontext_t* uc) {
  const greg_t* g = uc->uc_mcontext.gregs;
  f.signo = sig;
  f.code = si->si_code;
  f.addr = reinterpret_cast<uint64_t>(si->si_addr);
  f.pc = static_cast<uint64_t>(g[REG_RIP]);
  f.sp = static_cast<uint64_t>(g[REG_RSP]);
  f.flags = static_cast<uint64_t>(g[REG_EFL]);
  f.error_code = static_cast<uint64_t>(g[REG_ERR]);
  f.syscall = 0;
  const int order[] = {REG_RIP, REG_RSP, REG_EFL, REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI,
                       REG_RBP, REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
  for (unsigned i = 0; i < 18; ++i) f.regs[i] = static_cast<uint64_t>(g[order[i]]);
  f.regs[18] = reinterpret_cast<uint64_t>(__builtin_thread_pointer());  // fs_base
  f.regs[19] = 0;                                                        // gs_base
  for (uint64_t& w : f.mrs) w = 0;

  switch (sig) {
    case SIGSEGV:
    case SIGBUS:
      f.label = seL4_Fault_VMFault;
      f.mrs[seL4_VMFault_IP] = f.pc;
      f.mrs[seL4_VMFault_Addr] = f.addr;
      f.mrs[seL4_VMFault_PrefetchFault] = (f.error_code >> 4) & 1;  // instruction fetch
      f.mrs[seL4_VMFault_FSR] = f.error_code;
      f.count = seL4_VMFault_Length;
      break;
    case SIGSYS: {
      f.syscall = static_cast<uint32_t>(si->si_syscall);
      bool abort_call = (si->si_syscall == SYS_tgkill && g[REG_RDX] == SIGABRT) ||
                        (si->si_syscall == SYS_kill && g[REG_RSI] == SIGABRT);
      if (abort_call) {  // abort() raising SIGABRT: a user exception, like a real SIGABRT
        f.signo = SIGABRT;
        f.label = seL4_Fault_UserException;
      } else {
        // seL4's x86-64 UnknownSyscall message: RAX..R15, FaultIP, SP, FLAGS, Syscall.
        f.label = seL4_Fault_UnknownSyscall;
        const int regs[] = {REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_R8,
                            REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
        for (unsigned i = 0; i < 15; ++i) f.mrs[i] = static_cast<uint64_t>(g[regs[i]]);
        f.mrs[15] = f.pc;
        f.mrs[16] = f.sp;
        f.mrs[17] = f.flags;
        f.mrs[18] = f.syscall;
        f.count = 19;
        break;
      }
      [[fallthrough]];
    }
    default:
      // seL4's x86-64 UserException message: FaultIP, SP, FLAGS, Number, Code.
      f.label = seL4_Fault_UserException;
      f.mrs[0] = f.pc;
      f.mrs[1] = f.sp;
      f.mrs[2] = f.flags;
      f.mrs[3] = static_cast<uint64_t>(f.signo);
      f.mrs[4] = static_cast<uint64_t>(f.code);
      f.count = 5;
      break;
  }
}

void on_fault(int sig, siginfo_t* si, void* context) {
  ucontext_t* uc = static_cast<ucontext_t*>(context);
  ControlBlock& c = *g_control;
  sdk::console_flush_partial_if_needed();
  fill(c.fault, sig, si, uc);
  uint32_t verdict = c.verdict_seq.load(std::memory_order_acquire);
  c.state.store(static_cast<uint32_t>(PdState::Faulted), std::memory_order_relaxed);
  c.fault_seq.fetch_add(1, std::memory_order_seq_cst);
  ring_monitor();
  uint32_t seen;
  while ((seen = c.verdict_seq.load(std::memory_order_acquire)) == verdict) futex_wait(&c.verdict_seq, seen);
  // Resumed: retry the instruction. A refused system call returns ENOSYS.
  c.state.store(static_cast<uint32_t>(PdState::Running), std::memory_order_relaxed);
  if (sig == SIGSYS) uc->uc_mcontext.gregs[REG_RAX] = -38;
}

}  // namespace

void install_fault_handlers(ControlBlock& control) {
  g_control = &control;
  void* alt = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (alt != MAP_FAILED) {
    stack_t ss{};
    ss.ss_sp = alt;
    ss.ss_size = kAltStackSize;
    sigaltstack(&ss, nullptr);
  }
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS}) sigaction(sig, &sa, nullptr);
}

}  // namespace corokit::host
