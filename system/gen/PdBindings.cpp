#include "system/gen/PdBindings.h"

#include <algorithm>

#include "system/board/HostBoard.h"
#include "system/gen/Identifier.h"
#include "system/image/PatchRequests.h"
#include "system/image/PseudoPhysical.h"

namespace corokit::gen {
namespace {

uint64_t from_le64(const std::vector<uint8_t>& bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) v |= uint64_t{bytes[i]} << (8 * i);
  return v;
}

std::string irq_source(const sdf::Irq& irq, const sdf::TargetProfile& target, std::string& device) {
  switch (irq.kind) {
    case sdf::IrqKind::Arm: {
      std::string s = "irq " + std::to_string(irq.irq);
      if (target.is_host()) {
        if (std::optional<board::Device> d = board::device_by_irq(irq.irq)) {
          device = d->name();
          s += " (" + device + ")";
        }
      }
      return s;
    }
    case sdf::IrqKind::IoApic:
      return "pin " + std::to_string(irq.pin) + " vector " + std::to_string(irq.vector);
    case sdf::IrqKind::Msi:
      return "pcidev " + irq.pcidev.to_string() + " vector " + std::to_string(irq.vector);
  }
  return "";
}

// Assigns NameScope results back to the `name` member of each element.
template <typename T>
void name_all(std::vector<T>& items, const NameScope& scope) {
  std::vector<std::string> names = scope.resolve();
  for (size_t i = 0; i < items.size(); ++i) items[i].name = names[i];
}

}  // namespace

Result<PdBindings> describe_pd(const sdf::System& system, const std::string& name, const sdf::TargetProfile& target) {
  uint32_t index = system.find_pd(name);
  if (index == sdf::kNone) {
    std::string known;
    for (const sdf::ProtectionDomain& pd : system.pds) known += (known.empty() ? "" : ", ") + ("'" + pd.name + "'");
    return Error{"no protection domain named '" + name + "' (the system has " + known + ")"};
  }
  const sdf::ProtectionDomain& pd = system.pds[index];
  PdBindings out;
  out.pd = pd.name;
  out.ident = identifier(pd.name);
  out.c_prefix = c_prefix(pd.name);
  out.passive = pd.passive;
  out.priority = pd.priority;

  NameScope channel_names;
  for (const sdf::Channel& ch : system.channels) {
    if (ch.ends.size() != 2) continue;
    for (size_t e = 0; e < 2; ++e) {
      const sdf::ChannelEnd& mine = ch.ends[e];
      const sdf::ChannelEnd& other = ch.ends[1 - e];
      if (mine.pd_index != index) continue;
      ChannelBinding b;
      b.peer = other.pd;
      b.id = mine.id;
      b.peer_id = other.id;
      b.notify = mine.notify;
      b.pp = mine.pp;
      b.receives_calls = other.pp;
      channel_names.add(identifier(other.pd), std::to_string(mine.id));
      out.channels.push_back(std::move(b));
    }
  }
  name_all(out.channels, channel_names);

  NameScope irq_names;
  for (const sdf::Irq& irq : pd.irqs) {
    IrqBinding b;
    b.id = irq.id;
    b.source = irq_source(irq, target, b.device);
    irq_names.add(b.device.empty() ? "irq_" + std::to_string(irq.id) : identifier(b.device), std::to_string(irq.id));
    out.irqs.push_back(std::move(b));
  }
  name_all(out.irqs, irq_names);

  NameScope region_names;
  for (size_t m = 0; m < pd.maps.size(); ++m) {
    const sdf::Map& map = pd.maps[m];
    RegionBinding b;
    b.mr = map.mr;
    b.vaddr = map.vaddr;
    b.perms = map.perms;
    b.cached = map.cached;
    if (map.mr_index < system.memory_regions.size()) {
      const sdf::MemoryRegion& mr = system.memory_regions[map.mr_index];
      b.size = mr.size;
      if (mr.prefill_path) b.prefill_size = mr.prefill.size();
    }
    region_names.add(identifier(map.setvar_vaddr.value_or(map.mr)), std::to_string(m));
    out.regions.push_back(std::move(b));
  }
  name_all(out.regions, region_names);

  NameScope child_names;
  for (uint32_t c : pd.children) {
    const sdf::ProtectionDomain& child = system.pds.at(c);
    ChildBinding b;
    b.pd = child.name;
    b.id = child.child_id.value_or(0);
    child_names.add(identifier(child.name), std::to_string(b.id));
    out.children.push_back(std::move(b));
  }
  name_all(out.children, child_names);

  // The packer's values, from the packer's code. Pseudo-physical addresses exist only on the host
  // board; elsewhere a region_paddr of an MR without phys_addr is unknown here.
  sdf::System patched = system;
  std::vector<uint32_t> unknown_paddr;
  if (target.is_host()) {
    unknown_paddr = image::assign_pseudo_physical(patched).no_room;
  } else {
    unknown_paddr = image::mrs_needing_paddr(patched);
  }
  std::vector<std::string> unknown_symbols;
  for (const sdf::SetVar& sv : pd.setvars) {
    if (std::find(unknown_paddr.begin(), unknown_paddr.end(), sv.mr_index) != unknown_paddr.end()) {
      unknown_symbols.push_back(sv.symbol);
    }
  }
  NameScope setvar_names;
  for (const image::PatchRequest& req : image::patch_requests(patched, index)) {
    uint64_t value = from_le64(req.bytes);
    if (req.builtin) {
      if (req.symbol == "microkit_irqs") out.irq_mask = value;
      if (req.symbol == "microkit_notifications") out.notification_mask = value;
      if (req.symbol == "microkit_pps") out.pp_mask = value;
      if (req.symbol == "microkit_ioports") out.ioport_mask = value;
      continue;
    }
    SetvarBinding b;
    b.symbol = req.symbol;
    b.source = req.source;
    bool unknown = req.attribute == "symbol" &&
                   std::find(unknown_symbols.begin(), unknown_symbols.end(), req.symbol) != unknown_symbols.end();
    if (!unknown) b.value = value;
    setvar_names.add(identifier(req.symbol), std::to_string(out.setvars.size()));
    out.setvars.push_back(std::move(b));
  }
  name_all(out.setvars, setvar_names);
  return out;
}

}  // namespace corokit::gen
