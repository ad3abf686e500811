#include "system/sdf/SystemValidator.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "system/board/HostBoard.h"

namespace corokit::sdf {
namespace {

constexpr uint64_t kIoVaddrLimit = 0x80'0000'0000;

std::string range_text(uint64_t start, uint64_t end) { return "[" + hex(start) + ".." + hex(end) + ")"; }

// A setvar symbol and where it was introduced, for E03.
struct SymbolUse {
  std::string symbol;
  NodeId node;
  std::optional<std::string> attribute;
};

class Validator {
 public:
  Validator(System& s, Reporter& r) : sys_(s), r_(r), target_(r.options().target) {}

  void run() {
    check_pds();
    check_memory_region_names();
    check_virtual_machines();
    check_children();
    check_caps();
    check_irqs();
    resolve_channels();
    check_ids();
    check_ppc();
    check_ioports();
    check_maps();
    check_iomaps();
    check_phys_ranges();
    check_setvars();
    check_symbols();
    check_host_board();
    check_usage();
    promote_pages();
  }

 private:
  bool ok(NodeId node, std::string_view attr) const { return !r_.poisoned(node, attr); }

  // A memory region usable in address computations: resolved and with a valid, final size.
  const MemoryRegion* usable_mr(uint32_t index) const {
    if (index == kNone) return nullptr;
    const MemoryRegion& mr = sys_.memory_regions[index];
    if (mr.size == 0 || !ok(mr.node, "size") || !ok(mr.node, "page_size")) return nullptr;
    return &mr;
  }

  void check_pds();
  void check_memory_region_names();
  void check_virtual_machines();
  void check_children();
  void check_caps();
  void check_irqs();
  void resolve_channels();
  void check_ids();
  void check_ppc();
  void check_ioports();
  template <typename Owner>
  void check_map_set(std::vector<Map>& maps, uint64_t limit, const std::string& owner_kind,
                     const Owner& owner_name);
  void check_maps();
  void check_iomaps();
  void check_phys_ranges();
  void check_setvars();
  void check_symbols();
  void check_host_board();
  void check_usage();
  void promote_pages();

  System& sys_;
  Reporter& r_;
  const TargetProfile& target_;
  std::unordered_map<std::string, uint32_t> pd_by_name_;
  std::unordered_map<std::string, uint32_t> mr_by_name_;
};

void Validator::check_pds() {
  if (sys_.pds.empty()) {
    std::string msg = "at least one protection domain must be defined";
    r_.error("S01", 0, std::nullopt, msg, Reporter::mk_bare(msg));
    return;
  }
  const uint64_t max = r_.options().max_pds();
  if (sys_.pds.size() > max) {
    std::string msg = "too many protection domains (" + std::to_string(sys_.pds.size()) +
                      ") defined. Maximum is " + std::to_string(max) + ".";
    r_.error("S02", sys_.pds[max].node, std::nullopt, msg, Reporter::mk_bare(msg));
  }
  for (uint32_t i = 0; i < sys_.pds.size(); ++i) {
    const ProtectionDomain& pd = sys_.pds[i];
    if (!ok(pd.node, "name") || pd.name.empty()) continue;
    if (pd.name == "monitor") {
      std::string msg = "the PD name 'monitor' is reserved for the Microkit Monitor.";
      r_.error("S04", pd.node, "name", msg, Reporter::mk_bare(msg));
    }
    auto [it, inserted] = pd_by_name_.emplace(pd.name, i);
    if (!inserted) {
      std::string msg = "duplicate protection domain name '" + pd.name + "'.";
      r_.error("S03", pd.node, "name", msg, Reporter::mk_bare(msg),
               {{sys_.pds[it->second].node, "first declared here", "name"}});
    }
  }
}

void Validator::check_memory_region_names() {
  for (uint32_t i = 0; i < sys_.memory_regions.size(); ++i) {
    const MemoryRegion& mr = sys_.memory_regions[i];
    if (!ok(mr.node, "name") || mr.name.empty()) continue;
    auto [it, inserted] = mr_by_name_.emplace(mr.name, i);
    if (!inserted) {
      std::string msg = "duplicate memory region name '" + mr.name + "'.";
      r_.error("S05", mr.node, "name", msg, Reporter::mk_bare(msg),
               {{sys_.memory_regions[it->second].node, "first declared here", "name"}});
    }
  }
}

void Validator::check_virtual_machines() {
  std::unordered_map<std::string, NodeId> names;
  size_t vcpus = 0;
  NodeId first_excess = kNoNode;
  for (const ProtectionDomain& pd : sys_.pds) {
    if (!pd.virtual_machine) continue;
    const VirtualMachine& vm = *pd.virtual_machine;
    for (const Vcpu& v : vm.vcpus) {
      if (++vcpus == 64) first_excess = v.node;
    }
    if (!ok(vm.node, "name") || vm.name.empty()) continue;
    auto [it, inserted] = names.emplace(vm.name, vm.node);
    if (!inserted) {
      std::string msg = "duplicate virtual machine name '" + vm.name + "'.";
      r_.error("S06", vm.node, "name", msg, Reporter::mk_bare(msg),
               {{it->second, "first declared here", "name"}});
    }
  }
  if (first_excess != kNoNode) {
    r_.error("G22", first_excess, std::nullopt,
             "too many virtual CPUs (" + std::to_string(vcpus) + ") defined. Maximum is 63.",
             std::nullopt);
  }
}

void Validator::check_children() {
  for (const ProtectionDomain& parent : sys_.pds) {
    std::unordered_map<uint64_t, NodeId> seen;
    for (uint32_t c : parent.children) {
      const ProtectionDomain& child = sys_.pds[c];
      if (!child.child_id) continue;
      uint64_t cid = *child.child_id;
      auto [it, inserted] = seen.emplace(cid, child.node);
      if (!inserted) {
        std::string msg = "duplicate id: " + std::to_string(cid) + " in protection domain: '" +
                          parent.name + "'";
        r_.error("S07", child.node, "id", msg, r_.mk_at(child.node, msg),
                 {{it->second, "first used here", "id"}});
        continue;
      }
      if (parent.virtual_machine) {
        for (const Vcpu& v : parent.virtual_machine->vcpus) {
          if (ok(v.node, "id") && v.id == cid) {
            std::string msg = "duplicate id: " + std::to_string(cid) +
                              " clashes with virtual machine vcpu id in protection domain: '" +
                              parent.name + "'";
            r_.error("S07", child.node, "id", msg, r_.mk_at(child.node, msg),
                     {{v.node, "the vcpu", "id"}});
          }
        }
      }
    }
    if (target_.is_x86() && parent.virtual_machine && !parent.children.empty()) {
      std::string msg = "It is not possible for PD '" + parent.name +
                        "' with a bound vCPU to have children on x86_64";
      r_.error("S09", parent.node, std::nullopt, msg, r_.mk_at(parent.node, msg));
    }
  }
}

void Validator::check_caps() {
  for (ProtectionDomain& pd : sys_.pds) {
    std::unordered_map<uint64_t, std::vector<const Cap*>> by_slot;
    for (Cap& cap : pd.caps) {
      if (ok(cap.node, "pd")) {
        auto it = pd_by_name_.find(cap.pd);
        if (it == pd_by_name_.end()) {
          std::string msg = "unknown PD name '" + cap.pd + "'";
          r_.error("S08", cap.node, "pd", msg, r_.mk_at(cap.node, msg));
        } else {
          cap.pd_index = it->second;
        }
      }
      if (ok(cap.node, "slot")) by_slot[cap.slot].push_back(&cap);
    }
    std::vector<uint64_t> slots;
    for (const auto& [slot, caps] : by_slot) {
      if (caps.size() > 1) slots.push_back(slot);
    }
    std::sort(slots.begin(), slots.end());
    for (uint64_t slot : slots) {
      const std::vector<const Cap*>& caps = by_slot[slot];
      std::string msg = "overlapping user caps in slot " + std::to_string(slot) +
                        " of protection domain '" + pd.name + "':";
      std::string mk = msg;
      std::vector<Related> related;
      for (const Cap* c : caps) {
        std::string line = std::string("  type ") + to_string(c->kind) + " from '" + c->pd +
                           "' at '" + r_.loc(c->node) + "'";
        mk += "\n" + line;
        related.push_back({c->node, line.substr(2)});
      }
      r_.error("S18", caps[1]->node, "slot", msg, Reporter::mk_bare(mk), std::move(related));
    }
  }
}

void Validator::check_irqs() {
  // Arm interrupts are unique by number, x86 ones by vector.
  std::unordered_map<uint64_t, NodeId> arm, x86;
  for (const ProtectionDomain& pd : sys_.pds) {
    for (const Irq& irq : pd.irqs) {
      bool arm_form = irq.kind == IrqKind::Arm;
      const char* key_attr = arm_form ? "irq" : "vector";
      if (!ok(irq.node, key_attr)) continue;
      uint64_t key = arm_form ? irq.irq : irq.vector;
      auto& seen = arm_form ? arm : x86;
      auto [it, inserted] = seen.emplace(key, irq.node);
      if (!inserted) {
        std::string msg = "duplicate irq: " + std::to_string(key) + " in protection domain: '" +
                          pd.name + "'";
        r_.error("S10", irq.node, key_attr, msg, r_.mk_at(irq.node, msg),
                 {{it->second, "first used here", key_attr}});
      }
    }
  }
}

void Validator::resolve_channels() {
  for (Channel& ch : sys_.channels) {
    for (ChannelEnd& end : ch.ends) {
      if (!ok(end.node, "pd")) continue;
      auto it = pd_by_name_.find(end.pd);
      if (it == pd_by_name_.end()) {
        std::string msg = "invalid PD name '" + end.pd + "'";
        r_.error("E08", end.node, "pd", msg, r_.mk_on_element(end.node, msg));
      } else {
        end.pd_index = it->second;
      }
    }
  }
}

void Validator::check_ids() {
  // One namespace per PD for IRQ ids and channel-end ids: IRQs first, then channel ends.
  std::vector<std::array<NodeId, 62>> owner(sys_.pds.size());
  for (auto& slots : owner) slots.fill(kNoNode);
  for (uint32_t p = 0; p < sys_.pds.size(); ++p) {
    for (const Irq& irq : sys_.pds[p].irqs) {
      if (!ok(irq.node, "id")) continue;
      NodeId& slot = owner[p][irq.id];
      if (slot != kNoNode) {
        std::string msg = "duplicate channel id: " + std::to_string(irq.id) +
                          " in protection domain: '" + sys_.pds[p].name + "'";
        r_.error("S11", irq.node, "id", msg, r_.mk_at(irq.node, msg), {{slot, "first used here", "id"}});
      } else {
        slot = irq.node;
      }
    }
  }
  for (const Channel& ch : sys_.channels) {
    if (ch.ends.size() != 2) continue;
    const ChannelEnd& a = ch.ends[0];
    const ChannelEnd& b = ch.ends[1];
    bool self_clash = a.pd_index != kNone && a.pd_index == b.pd_index && a.id == b.id &&
                      ok(a.node, "id") && ok(b.node, "id");
    for (const ChannelEnd& end : ch.ends) {
      if (end.pd_index == kNone || !ok(end.node, "id")) continue;
      NodeId& slot = owner[end.pd_index][end.id];
      std::string msg = "duplicate channel id: " + std::to_string(end.id) +
                        " in protection domain: '" + sys_.pds[end.pd_index].name + "'";
      if (self_clash && &end == &b) {
        r_.error("G08", b.node, "id", msg, std::nullopt, {{a.node, "the other end", "id"}});
      } else if (slot != kNoNode) {
        r_.error("S11", end.node, "id", msg, r_.mk_at(end.node, msg), {{slot, "first used here", "id"}});
      } else {
        slot = end.node;
      }
    }
  }
}

void Validator::check_ppc() {
  for (const Channel& ch : sys_.channels) {
    if (ch.ends.size() != 2 || (ch.ends[0].pp && ch.ends[1].pp)) continue;  // E08 already
    for (int i = 0; i < 2; ++i) {
      const ChannelEnd& caller_end = ch.ends[i];
      const ChannelEnd& callee_end = ch.ends[1 - i];
      if (!caller_end.pp || caller_end.pd_index == kNone || callee_end.pd_index == kNone) continue;
      const ProtectionDomain& caller = sys_.pds[caller_end.pd_index];
      const ProtectionDomain& callee = sys_.pds[callee_end.pd_index];
      if (!ok(caller.node, "priority") || !ok(callee.node, "priority")) continue;
      if (caller.priority >= callee.priority) {
        std::string msg =
            "PPCs must be to protection domains of strictly higher priorities; channel with PPC "
            "exists from pd " + caller.name + " (priority: " + std::to_string(caller.priority) +
            ") to pd " + callee.name + " (priority: " + std::to_string(callee.priority) + ")";
        r_.error("S12", caller_end.node, "pp", msg, Reporter::mk_bare(msg),
                 {{caller.node, "caller declared here", "priority"},
                  {callee.node, "callee declared here", "priority"}});
      }
      if (target_.is_x86() && callee.virtual_machine) {
        std::string msg = "It is not possible to PPC to PD '" + callee.name +
                          "' with a bound vCPU from PD '" + caller.name + "' on x86_64";
        r_.error("S13", caller_end.node, "pp", msg, r_.mk_at(caller_end.node, msg));
      }
    }
  }
}

void Validator::check_ioports() {
  struct Range {
    const IoPort* port;
    const ProtectionDomain* pd;
  };
  std::vector<Range> ranges;
  for (const ProtectionDomain& pd : sys_.pds) {
    std::unordered_map<uint64_t, NodeId> ids;
    for (const IoPort& port : pd.ioports) {
      if (ok(port.node, "id")) {
        auto [it, inserted] = ids.emplace(port.id, port.node);
        if (!inserted) {
          std::string msg = "duplicate I/O port id: " + std::to_string(port.id) +
                            " in protection domain: '" + pd.name + "'";
          r_.error("S14", port.node, "id", msg, r_.mk_at(port.node, msg),
                   {{it->second, "first used here", "id"}});
        }
      }
      if (ok(port.node, "addr") && ok(port.node, "size") && port.size != 0) {
        ranges.push_back({&port, &pd});
      }
    }
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const IoPort& a = *ranges[i].port;
      const IoPort& b = *ranges[j].port;
      if (a.addr < b.addr + b.size && b.addr < a.addr + a.size) {
        std::string msg = "I/O port id: " + std::to_string(a.id) + ", half-open range: [" +
                          hex(a.addr) + ", " + hex(a.addr + a.size) + ") in protection domain: '" +
                          ranges[i].pd->name + "' @ " + r_.loc(a.node) +
                          " overlaps with I/O port id: " + std::to_string(b.id) +
                          ", half-open range: [" + hex(b.addr) + ", " + hex(b.addr + b.size) +
                          ") in protection domain: '" + ranges[j].pd->name + "' @ " + r_.loc(b.node);
        r_.error("S15", a.node, std::nullopt, msg, Reporter::mk_bare(msg),
                 {{b.node, "overlapping range declared here"}});
        break;
      }
    }
  }
}

template <typename Owner>
void Validator::check_map_set(std::vector<Map>& maps, uint64_t limit, const std::string& owner_kind,
                              const Owner& owner_name) {
  struct Placed {
    const Map* map;
    uint64_t start, end;
  };
  std::vector<Placed> placed;
  for (Map& m : maps) {
    if (!ok(m.node, "mr")) continue;
    auto it = mr_by_name_.find(m.mr);
    if (it == mr_by_name_.end()) {
      std::string msg = "invalid memory region name '" + m.mr + "' on 'map'";
      r_.error("S16", m.node, "mr", msg, r_.mk_at(m.node, msg));
      continue;
    }
    m.mr_index = it->second;
    const MemoryRegion* mr = usable_mr(m.mr_index);
    if (!mr || !ok(m.node, "vaddr")) continue;
    const uint64_t page = mr->declared_page_size.value_or(kPageSmall);
    if (m.vaddr % page != 0) {
      std::string msg = "invalid vaddr alignment on 'map'";
      r_.error("S16", m.node, "vaddr", msg, r_.mk_at(m.node, msg));
      continue;
    }
    if (m.vaddr > UINT64_MAX - mr->size) {
      std::string msg = "map for '" + m.mr + "' has address range that overflows";
      r_.error("S16", m.node, "vaddr", msg, r_.mk_at(m.node, msg));
      continue;
    }
    const uint64_t end = m.vaddr + mr->size;
    if (end > limit) {
      std::string msg = "map for '" + m.mr + "' has virtual address range " +
                        range_text(m.vaddr, end) + " which exceeds valid address space " +
                        range_text(0, limit);
      r_.error("S16", m.node, "vaddr", msg, r_.mk_at(m.node, msg));
      continue;
    }
    for (const Placed& p : placed) {
      if (m.vaddr < p.end && p.start < end) {
        std::string msg = "map for '" + m.mr + "' has virtual address range " +
                          range_text(m.vaddr, end) + " which overlaps with map for '" + p.map->mr +
                          "' " + range_text(p.start, p.end) + " in " + owner_kind + " '" +
                          owner_name + "'";
        r_.error("S16", m.node, "vaddr", msg, r_.mk_at(m.node, msg),
                 {{p.map->node, "the other map", "vaddr"}});
        break;
      }
    }
    placed.push_back({&m, m.vaddr, end});
  }
}

void Validator::check_maps() {
  for (ProtectionDomain& pd : sys_.pds) {
    if (ok(pd.node, "stack_size")) {
      check_map_set(pd.maps, target_.stack_bottom(pd.stack_size), "protection domain", pd.name);
    } else {
      // Without a valid stack size the bound is unknown; still resolve the names.
      check_map_set(pd.maps, UINT64_MAX, "protection domain", pd.name);
    }
    if (pd.virtual_machine) {
      check_map_set(pd.virtual_machine->maps, target_.user_top + 1, "virtual machine",
                    pd.virtual_machine->name);
    }
  }
}

void Validator::check_iomaps() {
  std::unordered_map<std::string, NodeId> names, devices;
  std::unordered_map<uint64_t, NodeId> domain_ids;
  for (IoAddressSpace& space : sys_.io_address_spaces) {
    if (ok(space.node, "name") && !space.name.empty()) {
      auto [it, inserted] = names.emplace(space.name, space.node);
      if (!inserted) {
        std::string msg = "duplicate name '" + space.name + "'";
        r_.error("E09", space.node, "name", msg, r_.mk_on_element(space.node, msg),
                 {{it->second, "first declared here", "name"}});
      }
    }
    const std::string device = "PCI device " + space.peripheral.to_string();
    if (ok(space.node, "peripheral_id")) {
      auto [it, inserted] = devices.emplace(device, space.node);
      if (!inserted) {
        std::string msg = "duplicate device peripheral_id '" + device + "'";
        r_.error("E09", space.node, "peripheral_id", msg, r_.mk_on_element(space.node, msg),
                 {{it->second, "first declared here", "peripheral_id"}});
      }
    }
    if (space.domain_id && ok(space.node, "domain_id")) {
      auto [it, inserted] = domain_ids.emplace(*space.domain_id, space.node);
      if (!inserted) {
        std::string msg = "reusing a domain id is forbidden";
        r_.error("E09", space.node, "domain_id", msg, r_.mk_on_element(space.node, msg),
                 {{it->second, "first used here", "domain_id"}});
      }
    }
    struct Placed {
      const IoMap* map;
      uint64_t start, end;
    };
    std::vector<Placed> placed;
    for (IoMap& m : space.iomaps) {
      if (!ok(m.node, "mr")) continue;
      auto it = mr_by_name_.find(m.mr);
      if (it == mr_by_name_.end()) {
        std::string msg = "invalid memory region name '" + m.mr + "' on 'iomap'";
        r_.error("S16", m.node, "mr", msg, r_.mk_at(m.node, msg));
        continue;
      }
      m.mr_index = it->second;
      const MemoryRegion* mr = usable_mr(m.mr_index);
      if (!mr || !ok(m.node, "iovaddr")) continue;
      if (mr->declared_page_size == kPageLarge) {
        std::string msg = "currently seL4 does not have large page support for the IOMMU";
        r_.error("S17", m.node, "mr", msg, r_.mk_at(m.node, msg));
        continue;
      }
      if (m.iovaddr % kPageSmall != 0) {
        std::string msg = "invalid iovaddr alignment on 'iomap'";
        r_.error("S16", m.node, "iovaddr", msg, r_.mk_at(m.node, msg));
        continue;
      }
      if (m.iovaddr > UINT64_MAX - mr->size) {
        std::string msg = "iomap for '" + m.mr + "' has address range that overflows";
        r_.error("S16", m.node, "iovaddr", msg, r_.mk_at(m.node, msg));
        continue;
      }
      const uint64_t end = m.iovaddr + mr->size;
      if (end > kIoVaddrLimit) {
        std::string msg = "iomap for '" + m.mr + "' has io address range " +
                          range_text(m.iovaddr, end) + " which exceeds valid address space " +
                          range_text(0, kIoVaddrLimit);
        r_.error("S16", m.node, "iovaddr", msg, r_.mk_at(m.node, msg));
        continue;
      }
      for (const Placed& p : placed) {
        if (m.iovaddr < p.end && p.start < end) {
          std::string msg = "iomap for '" + m.mr + "' has io address range " +
                            range_text(m.iovaddr, end) + " which overlaps with iomap for '" +
                            p.map->mr + "' " + range_text(p.start, p.end) + " in " + device;
          r_.error("S16", m.node, "iovaddr", msg, r_.mk_at(m.node, msg),
                   {{p.map->node, "the other iomap", "iovaddr"}});
          break;
        }
      }
      placed.push_back({&m, m.iovaddr, end});
    }
  }
}

void Validator::check_phys_ranges() {
  std::vector<const MemoryRegion*> with_paddr;
  for (const MemoryRegion& mr : sys_.memory_regions) {
    if (mr.phys_addr && mr.size != 0 && ok(mr.node, "size")) with_paddr.push_back(&mr);
  }
  for (size_t i = 0; i < with_paddr.size(); ++i) {
    const MemoryRegion& a = *with_paddr[i];
    for (size_t j = 0; j < i; ++j) {
      const MemoryRegion& b = *with_paddr[j];
      if (*a.phys_addr < *b.phys_addr + b.size && *b.phys_addr < *a.phys_addr + a.size) {
        std::string msg = "memory region '" + a.name + "' physical address range " +
                          range_text(*a.phys_addr, *a.phys_addr + a.size) +
                          " overlaps with another memory region '" + b.name + "' " +
                          range_text(*b.phys_addr, *b.phys_addr + b.size);
        r_.error("S19", a.node, "phys_addr", msg, r_.mk_at(a.node, msg),
                 {{b.node, "the other region", "phys_addr"}});
        break;
      }
    }
  }
}

void Validator::check_setvars() {
  for (ProtectionDomain& pd : sys_.pds) {
    for (Map& m : pd.maps) {
      if (!m.setvar_prefill_size || m.mr_index == kNone) continue;
      const MemoryRegion& mr = sys_.memory_regions[m.mr_index];
      if (!mr.prefill_path) {
        std::string msg = "'setvar_prefill_size' used for MR without a `prefill_path` @ '" + mr.name + "'";
        r_.error("S21", m.node, "setvar_prefill_size", msg, r_.mk_at(m.node, msg));
      }
    }
    for (SetVar& v : pd.setvars) {
      auto it = mr_by_name_.find(v.region_paddr);
      if (it == mr_by_name_.end()) {
        r_.error("G06", v.node, "region_paddr",
                 "invalid memory region name '" + v.region_paddr + "' on 'setvar'", std::nullopt);
        continue;
      }
      v.mr_index = it->second;
      const MemoryRegion& mr = sys_.memory_regions[v.mr_index];
      if (target_.is_x86() && !mr.phys_addr) {
        std::string msg = "setvar with 'region_paddr' for MR without a specified paddr is unsupported "
                          "on x86-64 @ '" + mr.name + "'";
        r_.error("S22", v.node, "region_paddr", msg, r_.mk_at(v.node, msg));
      }
    }
  }
}

void Validator::check_symbols() {
  // Every setvar symbol patched into one PD, from every source (SDF.md §8), must be distinct.
  std::vector<std::vector<SymbolUse>> uses(sys_.pds.size());
  for (uint32_t p = 0; p < sys_.pds.size(); ++p) {
    const ProtectionDomain& pd = sys_.pds[p];
    auto add = [&](uint32_t into, const std::optional<std::string>& sym, NodeId node,
                   const char* attr) {
      if (sym) uses[into].push_back({*sym, node, attr ? std::optional<std::string>(attr) : std::nullopt});
    };
    for (const Map& m : pd.maps) {
      add(p, m.setvar_vaddr, m.node, "setvar_vaddr");
      add(p, m.setvar_size, m.node, "setvar_size");
      add(p, m.setvar_prefill_size, m.node, "setvar_prefill_size");
    }
    for (const Irq& irq : pd.irqs) add(p, irq.setvar_id, irq.node, "setvar_id");
    for (const IoPort& port : pd.ioports) {
      add(p, port.setvar_id, port.node, "setvar_id");
      add(p, port.setvar_addr, port.node, "setvar_addr");
    }
    for (const SetVar& v : pd.setvars) add(p, v.symbol, v.node, "symbol");
    if (pd.parent != kNone) add(pd.parent, pd.setvar_id, pd.node, "setvar_id");
    if (pd.virtual_machine) {
      for (const Vcpu& v : pd.virtual_machine->vcpus) add(p, v.setvar_id, v.node, "setvar_id");
    }
  }
  for (const Channel& ch : sys_.channels) {
    for (const ChannelEnd& end : ch.ends) {
      // Microkit reports channel-end duplicates on the <channel> element.
      if (end.pd_index != kNone && end.setvar_id) uses[end.pd_index].push_back({*end.setvar_id, ch.node, std::nullopt});
    }
  }
  for (std::vector<SymbolUse>& list : uses) {
    std::unordered_map<std::string, const SymbolUse*> seen;
    for (const SymbolUse& u : list) {
      auto [it, inserted] = seen.emplace(u.symbol, &u);
      if (inserted) continue;
      std::string msg = "setvar on symbol '" + u.symbol + "' already exists";
      r_.error("E03", u.node, u.attribute, msg, r_.mk_on_element(u.node, msg),
               {{it->second->node, "first set here", it->second->attribute}});
    }
  }
}

void Validator::check_host_board() {
  if (!target_.is_host()) return;
  for (const MemoryRegion& mr : sys_.memory_regions) {
    if (!mr.phys_addr || mr.size == 0) continue;
    const uint64_t start = *mr.phys_addr;
    const uint64_t size = mr.size;
    if (auto dev = board::device_by_window(start, size)) {
      if (start != dev->window || size != board::kDeviceWindowSize) {
        r_.host("H03", mr.node, "phys_addr",
                "memory region '" + mr.name + "' partly overlaps host-board device '" + dev->name() + "'");
      }
    } else if (start < board::kRamBase || start + size > board::kRamEnd) {
      r_.warning("H08", mr.node, "phys_addr",
                 "physical address of '" + mr.name + "' is only a label on the host board");
    }
  }
  for (const ProtectionDomain& pd : sys_.pds) {
    for (const Irq& irq : pd.irqs) {
      if (irq.kind != IrqKind::Arm || !ok(irq.node, "irq")) continue;
      auto dev = board::device_by_irq(irq.irq);
      if (!dev) {
        r_.host("H02", irq.node, "irq",
                "IRQ " + std::to_string(irq.irq) + " is not a host-board device interrupt");
      } else if (irq.trigger == Trigger::Edge) {
        r_.warning("H07", irq.node, "trigger",
                   "trigger 'edge' differs from host-board device '" + dev->name() +
                       "', which is level-triggered");
      }
    }
  }
}

void Validator::check_usage() {
  std::vector<bool> used(sys_.memory_regions.size(), false);
  for (const ProtectionDomain& pd : sys_.pds) {
    for (const Map& m : pd.maps) {
      if (m.mr_index != kNone) used[m.mr_index] = true;
    }
    if (pd.virtual_machine) {
      for (const Map& m : pd.virtual_machine->maps) {
        if (m.mr_index != kNone) used[m.mr_index] = true;
      }
    }
  }
  for (uint32_t i = 0; i < used.size(); ++i) {
    const MemoryRegion& mr = sys_.memory_regions[i];
    if (used[i] || mr.name.empty() || !ok(mr.node, "name")) continue;
    std::string msg = "unused memory region '" + mr.name + "'";
    r_.warning("S20", mr.node, std::nullopt, msg, "WARNING: " + msg);
  }

  // W08: a passive PD that nothing can wake after init().
  std::vector<bool> wakeable(sys_.pds.size(), false);
  for (const Channel& ch : sys_.channels) {
    if (ch.ends.size() != 2) continue;
    for (int i = 0; i < 2; ++i) {
      const ChannelEnd& from = ch.ends[i];
      const ChannelEnd& to = ch.ends[1 - i];
      if (to.pd_index != kNone && (from.pp || from.notify)) wakeable[to.pd_index] = true;
    }
  }
  for (uint32_t p = 0; p < sys_.pds.size(); ++p) {
    const ProtectionDomain& pd = sys_.pds[p];
    if (!pd.passive || wakeable[p] || !pd.irqs.empty() || !pd.children.empty() ||
        pd.virtual_machine) {
      continue;
    }
    r_.warning("W08", pd.node, "passive", "passive PD '" + pd.name + "' can never run after init");
  }
}

void Validator::promote_pages() {
  std::vector<bool> candidate(sys_.memory_regions.size());
  for (uint32_t i = 0; i < sys_.memory_regions.size(); ++i) {
    const MemoryRegion& mr = sys_.memory_regions[i];
    candidate[i] = !mr.declared_page_size && mr.size != 0 && mr.size % kPageLarge == 0 &&
                   (!mr.phys_addr || *mr.phys_addr % kPageLarge == 0);
  }
  auto exclude_misaligned = [&](const std::vector<Map>& maps) {
    for (const Map& m : maps) {
      if (m.mr_index != kNone && m.vaddr % kPageLarge != 0) candidate[m.mr_index] = false;
    }
  };
  for (const ProtectionDomain& pd : sys_.pds) {
    exclude_misaligned(pd.maps);
    if (pd.virtual_machine) exclude_misaligned(pd.virtual_machine->maps);
  }
  for (const IoAddressSpace& space : sys_.io_address_spaces) {
    for (const IoMap& m : space.iomaps) {
      if (m.mr_index != kNone) candidate[m.mr_index] = false;
    }
  }
  for (uint32_t i = 0; i < sys_.memory_regions.size(); ++i) {
    MemoryRegion& mr = sys_.memory_regions[i];
    mr.page_size = candidate[i] ? kPageLarge : mr.declared_page_size.value_or(kPageSmall);
  }
}

}  // namespace

void validate_system(System& system, Reporter& reporter) { Validator(system, reporter).run(); }

}  // namespace corokit::sdf
