// Target profiles: what the checker validates against (SDF.md §1 "Targets").
#pragma once

#include <cstdint>
#include <string>

#include "system/support/Result.h"

namespace corokit::sdf {

enum class Arch : uint8_t { Host, Aarch64, Riscv64, X86_64 };
const char* to_string(Arch a);

struct TargetProfile {
  std::string name;  // "host", "aarch64", a board name, or a profile file's name
  Arch arch = Arch::Host;
  uint32_t cores = 1;
  bool hypervisor = false;
  bool iommu = false;
  bool smc = false;
  uint64_t num_domains = 16;             // KernelNumDomains
  uint64_t num_domain_schedules = 100;   // KernelNumDomainSchedules
  uint64_t user_top = 0;                 // inclusive
  uint64_t lowest_map = 0;               // lowest address a map may use without H04

  bool is_host() const { return arch == Arch::Host; }
  bool is_x86() const { return arch == Arch::X86_64; }
  // Which architecture's rules an architecture-specific construct is checked with. The host target
  // follows the ARM/RISC-V family for <irq> and region_paddr.
  bool arm_family() const { return arch != Arch::X86_64; }

  // IPC buffer page, stack bottom (SDF.md §6.3).
  uint64_t ipc_buffer() const { return user_top & ~uint64_t{0xfff}; }
  uint64_t stack_bottom(uint64_t stack_size) const { return ipc_buffer() - 0x1000 - stack_size; }
};

// A built-in profile: "host", "aarch64", "riscv64", "x86_64" or a known Microkit board name.
// `cores` of 0 keeps the profile's default (the host's: CPUs available to this process).
Result<TargetProfile> builtin_profile(const std::string& name, uint32_t cores = 0);

// A profile file: `key = value` lines (arch, cores, hypervisor, iommu, smc, num_domains,
// num_domain_schedules, user_top); '#' starts a comment. Unset keys take the arch's defaults.
Result<TargetProfile> load_profile(const std::string& path);

// Names accepted by builtin_profile, for --help.
std::string builtin_profile_names();

}  // namespace corokit::sdf
