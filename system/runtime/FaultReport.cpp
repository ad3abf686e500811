#include "system/runtime/FaultReport.h"

#include <seccomp.h>
#include <signal.h>

#include <cstdio>
#include <cstring>

namespace corokit::runtime {

std::string hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGSYS: return "SIGSYS";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "signal " + std::to_string(sig);
  }
}

namespace {

std::string code_name(int sig, int code) {
  if (code == SI_USER) return "SI_USER";
  if (code == SI_TKILL) return "SI_TKILL";
  switch (sig) {
    case SIGSEGV:
      if (code == SEGV_MAPERR) return "SEGV_MAPERR";
      if (code == SEGV_ACCERR) return "SEGV_ACCERR";
      break;
    case SIGBUS:
      if (code == BUS_ADRALN) return "BUS_ADRALN";
      if (code == BUS_ADRERR) return "BUS_ADRERR";
      if (code == BUS_OBJERR) return "BUS_OBJERR";
      break;
    case SIGILL:
      if (code == ILL_ILLOPC) return "ILL_ILLOPC";
      if (code == ILL_ILLOPN) return "ILL_ILLOPN";
      if (code == ILL_PRVOPC) return "ILL_PRVOPC";
      break;
    case SIGFPE:
      if (code == FPE_INTDIV) return "FPE_INTDIV";
      if (code == FPE_INTOVF) return "FPE_INTOVF";
      break;
    case SIGSYS:
      if (code == 1) return "SYS_SECCOMP";
      break;
    default:
      break;
  }
  return "code " + std::to_string(code);
}

std::string page_fault_text(uint64_t err) {
  std::string s = (err & 1) ? "protection violation" : "page not present";
  s += (err & 0x10) ? " on instruction fetch" : (err & 2) ? " on write" : " on read";
  s += (err & 4) ? " from user mode" : " from kernel mode";
  return s;
}

const char* label_name(uint32_t label) {
  switch (label) {
    case 0: return "NullFault";
    case 1: return "CapFault";
    case 2: return "UnknownSyscall";
    case 3: return "UserException";
    case 5: return "Timeout";
    case 6: return "VMFault";
    default: return "Unknown";
  }
}

std::string syscall_name(uint32_t nr) {
  char* n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, static_cast<int>(nr));
  std::string s = n != nullptr ? n : "?";
  std::free(n);
  return s;
}

}  // namespace

std::vector<std::string> fault_report(const host::FaultRecord& f, const FaultContext& ctx) {
  std::vector<std::string> out;
  out.push_back("MON|ERROR: received message " + hex(f.label, 8) + "  badge: " + hex(ctx.badge, 16) +
                "  pid: " + std::to_string(ctx.pid));
  out.push_back("MON|ERROR: faulting PD: " + ctx.pd_name);
  out.push_back("Registers: ");
  static const char* kNames[20] = {"rip", "rsp", "rflags", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
                                   "r8",  "r9",  "r10",    "r11", "r12", "r13", "r14", "r15", "fs_base", "gs_base"};
  for (int i = 0; i < 20; ++i) out.push_back(std::string(kNames[i]) + " : " + hex(f.regs[i], 16));
  switch (f.label) {
    case 6:  // VMFault
      out.push_back("MON|ERROR: VMFault: ip=" + hex(f.pc, 16) + "  fault_addr=" + hex(f.addr, 16) +
                    "  fsr=" + hex(f.error_code, 16) + "  " +
                    ((f.error_code & 0x10) ? "(instruction fault)" : "(data fault)"));
      if (f.signo == SIGSEGV) out.push_back("MON|ERROR: description of fault: " + page_fault_text(f.error_code));
      break;
    case 3:
      out.push_back("MON|ERROR: UserException");
      break;
    default:
      out.push_back("MON|ERROR: Unknown fault");
      out.push_back("MON|ERROR: label: " + std::to_string(f.label) + " (" + label_name(f.label) + ")");
      break;
  }
  if (ctx.stack_bottom != 0 && f.addr < ctx.stack_bottom && f.addr >= ctx.stack_bottom - 0x1000 &&
      (f.signo == SIGSEGV || f.signo == SIGBUS)) {
    out.push_back("MON|ERROR: potential stack overflow, fault address within one page outside of stack region");
  }
  out.push_back("MON|ERROR: signal: " + signal_name(f.signo) + " (" + code_name(f.signo, f.code) + ")");
  if (f.signo == SIGSYS && f.label == 2) {
    out.push_back("MON|ERROR: system call " + std::to_string(f.syscall) + " (" + syscall_name(f.syscall) +
                  ") is not allowed in a PD");
  }
  if (f.signo == SIGSEGV || f.signo == SIGBUS) {
    std::string owner = "nothing mapped";
    for (const AddressRange& r : ctx.ranges) {
      if (f.addr >= r.start && f.addr < r.end) owner = r.what + " [" + hex(r.start, 16) + ".." + hex(r.end, 16) + ")";
    }
    if (ctx.stack_bottom != 0 && f.addr >= ctx.stack_bottom - 0x1000 && f.addr < ctx.stack_bottom) {
      owner = "the guard page below the stack";
    }
    out.push_back("MON|ERROR: fault address " + hex(f.addr, 16) + " belongs to: " + owner);
  }
  return out;
}

std::string fault_summary(const host::FaultRecord& f) {
  std::string s = std::string(label_name(f.label)) + " (" + signal_name(f.signo) + " " + code_name(f.signo, f.code) + ")";
  s += " pc=" + hex(f.pc, 16) + " addr=" + hex(f.addr, 16);
  if (f.label == 2) s += " syscall=" + syscall_name(f.syscall);
  return s;
}

std::string fault_json(const host::FaultRecord& f, const FaultContext& ctx, bool child) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"event\":\"fault\",\"pd\":\"%s\",\"pid\":%d,\"child\":%s,\"label\":%u,\"kind\":\"%s\","
                "\"signal\":\"%s\",\"code\":%d,\"addr\":%llu,\"pc\":%llu,\"sp\":%llu,\"syscall\":%u}",
                ctx.pd_name.c_str(), ctx.pid, child ? "true" : "false", f.label, label_name(f.label),
                signal_name(f.signo).c_str(), f.code, static_cast<unsigned long long>(f.addr),
                static_cast<unsigned long long>(f.pc), static_cast<unsigned long long>(f.sp), f.syscall);
  return buf;
}

}  // namespace corokit::runtime
