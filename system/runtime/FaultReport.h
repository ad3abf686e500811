// The monitor's fault report (LIBMICROKIT.md §5) for a fault recorded by a PD's fault handler, plus
// the host's extra lines: the signal and its code, what the address belongs to, the stack hint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdk/host/Abi.h"

namespace corokit::runtime {

struct AddressRange {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
  std::string what;  // "memory region 'buf' (rw)", "ELF segment (r-x)", "stack"
};

struct FaultContext {
  std::string pd_name;
  int pid = 0;
  uint64_t badge = 0;          // global PD index + 1
  uint64_t stack_bottom = 0;
  uint64_t stack_top = 0;
  std::vector<AddressRange> ranges;
};

std::vector<std::string> fault_report(const host::FaultRecord& f, const FaultContext& ctx);

// One-line summary for the run log and JSON events: "VMFault at 0x0 (SIGSEGV SEGV_MAPERR) pc=0x..".
std::string fault_summary(const host::FaultRecord& f);
std::string fault_json(const host::FaultRecord& f, const FaultContext& ctx, bool child);

std::string signal_name(int sig);
std::string hex(uint64_t v, int digits);

}  // namespace corokit::runtime
