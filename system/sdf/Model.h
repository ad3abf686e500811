// The typed model of a system description: every element of Microkit's SDF dialect (SDF.md §4).
//
// The parser fills it; the validator checks it; the packer and the runtime consume it. Each element
// remembers the NodeId of the XML element it came from, so any later stage can locate problems.
// Cross references (channel ends, maps, caps) keep the referenced name and, once resolved, an index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "system/sdf/SourceMap.h"

namespace corokit::sdf {

inline constexpr uint32_t kNone = UINT32_MAX;
inline constexpr uint64_t kPageSmall = 0x1000;
inline constexpr uint64_t kPageLarge = 0x200000;

// Map permissions: any combination of read, write and execute.
struct Perms {
  bool read = false;
  bool write = false;
  bool execute = false;

  std::string letters() const;
  friend bool operator==(const Perms&, const Perms&) = default;
};

struct ProgramImage {
  NodeId node = kNoNode;
  std::string path;
  std::optional<std::string> path_for_symbols;
};

struct Map {
  NodeId node = kNoNode;
  std::string mr;
  uint32_t mr_index = kNone;  // resolved by the validator
  uint64_t vaddr = 0;
  Perms perms{true, true, false};
  bool cached = true;
  std::optional<std::string> setvar_vaddr;
  std::optional<std::string> setvar_size;
  std::optional<std::string> setvar_prefill_size;
};

enum class IrqKind : uint8_t { Arm, IoApic, Msi };  // Arm covers ARM and RISC-V
enum class Trigger : uint8_t { Level, Edge };
enum class Polarity : uint8_t { Low, High };

struct PciAddress {
  uint8_t bus = 0;
  uint8_t device = 0;
  uint8_t function = 0;
  std::string to_string() const;  // "bb:dd.f"
  friend bool operator==(const PciAddress&, const PciAddress&) = default;
};

struct Irq {
  NodeId node = kNoNode;
  IrqKind kind = IrqKind::Arm;
  uint64_t id = 0;
  std::optional<std::string> setvar_id;
  uint64_t irq = 0;  // Arm: the interrupt number
  Trigger trigger = Trigger::Level;
  uint64_t pin = 0;      // IoApic
  uint64_t ioapic = 0;   // IoApic
  Polarity polarity = Polarity::High;
  uint64_t vector = 0;   // IoApic and Msi
  PciAddress pcidev;     // Msi
  uint64_t handle = 0;   // Msi
};

struct IoPort {
  NodeId node = kNoNode;
  uint64_t id = 0;
  uint64_t addr = 0;
  uint64_t size = 0;
  std::optional<std::string> setvar_id;
  std::optional<std::string> setvar_addr;
};

struct SetVar {
  NodeId node = kNoNode;
  std::string symbol;
  std::string region_paddr;  // a memory region name
  uint32_t mr_index = kNone;
};

enum class CapKind : uint8_t { Tcb, Sc, VSpace };
const char* to_string(CapKind k);  // "Tcb", "Sc", "VSpace"

struct Cap {
  NodeId node = kNoNode;
  CapKind kind = CapKind::Tcb;
  uint64_t slot = 0;
  std::string pd;
  uint32_t pd_index = kNone;
};

struct Vcpu {
  NodeId node = kNoNode;
  uint64_t id = 0;
  std::optional<uint64_t> cpu;  // defaults to the owning PD's cpu
  std::optional<std::string> setvar_id;
};

struct VirtualMachine {
  NodeId node = kNoNode;
  std::string name;
  uint64_t priority = 0;
  uint64_t budget = 1000;
  uint64_t period = 1000;
  std::vector<Vcpu> vcpus;
  std::vector<Map> maps;
};

struct ProtectionDomain {
  NodeId node = kNoNode;
  std::string name;
  uint64_t priority = 0;
  uint64_t budget = 1000;  // µs
  uint64_t period = 1000;  // µs
  bool passive = false;
  uint64_t stack_size = 0x2000;
  std::optional<uint64_t> cpu;  // absent: the host schedules the PD on any CPU (seL4: core 0)
  bool smc = false;
  bool fpu = true;
  std::optional<std::string> domain;
  uint32_t domain_index = kNone;

  // Children only: the id under which the parent knows this PD, and the parent's setvar.
  std::optional<uint64_t> child_id;
  std::optional<std::string> setvar_id;
  uint32_t parent = kNone;           // global index of the parent
  std::vector<uint32_t> children;    // global indices, in document order

  std::optional<ProgramImage> program_image;
  std::vector<Map> maps;
  std::vector<Irq> irqs;
  std::vector<IoPort> ioports;
  std::vector<SetVar> setvars;
  std::vector<Cap> caps;
  NodeId cspace_node = kNoNode;
  std::optional<VirtualMachine> virtual_machine;
};

enum class BootInfo : uint8_t { X86Vbe, X86MbMmap, X86AcpiRsdp, X86Framebuffer, X86TscFreq, Fdt };
const char* to_string(BootInfo b);

struct MemoryRegion {
  NodeId node = kNoNode;
  std::string name;
  uint64_t size = 0;                       // after prefill rounding
  std::optional<uint64_t> declared_size;   // the size attribute
  std::optional<uint64_t> declared_page_size;
  uint64_t page_size = kPageSmall;         // after automatic promotion (SDF.md §6.4)
  std::optional<uint64_t> phys_addr;
  std::optional<std::string> prefill_path;  // as written
  std::string prefill_resolved;             // where it was found
  std::vector<uint8_t> prefill;             // captured bytes
  std::optional<BootInfo> prefill_bootinfo;
};

struct ChannelEnd {
  NodeId node = kNoNode;
  std::string pd;
  uint32_t pd_index = kNone;  // resolved by the validator
  uint64_t id = 0;
  bool pp = false;
  bool notify = true;
  std::optional<std::string> setvar_id;
};

struct Channel {
  NodeId node = kNoNode;
  std::vector<ChannelEnd> ends;  // exactly two in a valid system
};

struct IoMap {
  NodeId node = kNoNode;
  std::string mr;
  uint32_t mr_index = kNone;
  uint64_t iovaddr = 0;
  Perms perms{true, true, false};
};

struct IoAddressSpace {
  NodeId node = kNoNode;
  std::string name;
  PciAddress peripheral;
  std::optional<uint64_t> domain_id;
  std::vector<IoMap> iomaps;
};

struct Domain {
  NodeId node = kNoNode;
  std::string name;
  uint64_t id = 0;
};

struct ScheduleEntry {
  NodeId node = kNoNode;
  bool end_marker = false;
  std::string domain;
  uint32_t domain_index = kNone;
  uint64_t duration = 0;
  bool ticks = false;  // duration unit: ticks, else microseconds
};

struct DomainSchedule {
  NodeId node = kNoNode;
  uint64_t start_index = 0;
  std::optional<uint64_t> index_shift;
  std::vector<ScheduleEntry> entries;  // entries and end markers, in document order
};

struct Domains {
  NodeId node = kNoNode;
  std::vector<Domain> domains;
  std::optional<DomainSchedule> schedule;
};

struct System {
  // Every PD, children included, flattened depth-first (SDF.md §4): the global PD index.
  std::vector<ProtectionDomain> pds;
  std::vector<MemoryRegion> memory_regions;
  std::vector<Channel> channels;
  std::vector<IoAddressSpace> io_address_spaces;
  std::optional<Domains> domains;

  // Lookups by name; kNone when absent.
  uint32_t find_pd(std::string_view name) const;
  uint32_t find_mr(std::string_view name) const;
};

}  // namespace corokit::sdf
