#include "system/image/PatchRequests.h"

namespace corokit::image {
namespace {

uint64_t bit(uint64_t id) { return id < 64 ? uint64_t{1} << id : 0; }

class RequestList {
 public:
  void word(const std::optional<std::string>& symbol, uint64_t value, std::string source,
            sdf::NodeId node, std::string attribute) {
    if (!symbol) return;
    out.push_back({*symbol, le64(value), std::move(source), false, node, std::move(attribute)});
  }
  std::vector<PatchRequest> out;
};

}  // namespace

std::vector<uint8_t> le64(uint64_t value) {
  std::vector<uint8_t> b(8);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(value >> (8 * i));
  return b;
}

std::vector<PatchRequest> patch_requests(const sdf::System& system, uint32_t index) {
  const sdf::ProtectionDomain& pd = system.pds.at(index);
  sdf::NodeId image_node = pd.program_image ? pd.program_image->node : pd.node;

  uint64_t irqs = 0, notifications = 0, pps = 0, ioports = 0;
  for (const sdf::Irq& irq : pd.irqs) irqs |= bit(irq.id);
  for (const sdf::IoPort& port : pd.ioports) ioports |= bit(port.id);
  for (const sdf::Channel& ch : system.channels) {
    for (const sdf::ChannelEnd& end : ch.ends) {
      if (end.pd_index != index) continue;
      if (end.notify) notifications |= bit(end.id);
      if (end.pp) pps |= bit(end.id);
    }
  }

  RequestList r;
  std::vector<uint8_t> name(64, 0);
  for (size_t i = 0; i < pd.name.size() && i < 63; ++i) name[i] = static_cast<uint8_t>(pd.name[i]);
  auto builtin = [&](const char* symbol, std::vector<uint8_t> bytes) {
    r.out.push_back({symbol, std::move(bytes), symbol, true, image_node, ""});
  };
  builtin("microkit_name", std::move(name));
  builtin("microkit_passive", {static_cast<uint8_t>(pd.passive ? 1 : 0)});
  builtin("microkit_irqs", le64(irqs));
  builtin("microkit_notifications", le64(notifications));
  builtin("microkit_pps", le64(pps));
  builtin("microkit_ioports", le64(ioports));

  auto mr_name = [&](uint32_t mr) {
    return mr < system.memory_regions.size() ? system.memory_regions[mr].name : std::string("?");
  };
  for (const sdf::Map& map : pd.maps) {
    std::string of = " (mr '" + map.mr + "')";
    const sdf::MemoryRegion* mr =
        map.mr_index < system.memory_regions.size() ? &system.memory_regions[map.mr_index] : nullptr;
    r.word(map.setvar_vaddr, map.vaddr, "map@setvar_vaddr" + of, map.node, "setvar_vaddr");
    r.word(map.setvar_size, mr ? mr->size : 0, "map@setvar_size" + of, map.node, "setvar_size");
    r.word(map.setvar_prefill_size, mr ? mr->prefill.size() : 0, "map@setvar_prefill_size" + of,
           map.node, "setvar_prefill_size");
  }
  for (const sdf::Irq& irq : pd.irqs) {
    r.word(irq.setvar_id, irq.id, "irq@setvar_id (id " + std::to_string(irq.id) + ")", irq.node,
           "setvar_id");
  }
  for (const sdf::IoPort& port : pd.ioports) {
    std::string of = " (id " + std::to_string(port.id) + ")";
    r.word(port.setvar_id, port.id, "ioport@setvar_id" + of, port.node, "setvar_id");
    r.word(port.setvar_addr, port.addr, "ioport@setvar_addr" + of, port.node, "setvar_addr");
  }
  for (const sdf::SetVar& sv : pd.setvars) {
    uint64_t paddr = 0;
    if (sv.mr_index < system.memory_regions.size()) {
      paddr = system.memory_regions[sv.mr_index].phys_addr.value_or(0);
    }
    r.word(sv.symbol, paddr, "setvar@region_paddr (mr '" + mr_name(sv.mr_index) + "')", sv.node,
           "symbol");
  }
  for (uint32_t child : pd.children) {
    const sdf::ProtectionDomain& c = system.pds.at(child);
    r.word(c.setvar_id, c.child_id.value_or(0), "protection_domain@setvar_id (child '" + c.name + "')",
           c.node, "setvar_id");
  }
  if (pd.virtual_machine) {
    for (const sdf::Vcpu& vcpu : pd.virtual_machine->vcpus) {
      r.word(vcpu.setvar_id, vcpu.id, "vcpu@setvar_id (id " + std::to_string(vcpu.id) + ")",
             vcpu.node, "setvar_id");
    }
  }
  for (size_t c = 0; c < system.channels.size(); ++c) {
    for (const sdf::ChannelEnd& end : system.channels[c].ends) {
      if (end.pd_index != index) continue;
      r.word(end.setvar_id, end.id, "end@setvar_id (channel " + std::to_string(c) + ")", end.node,
             "setvar_id");
    }
  }
  return std::move(r.out);
}

}  // namespace corokit::image
