#include "system/graph/SystemGraph.h"

#include <cstdio>
#include <set>

#include "system/board/HostBoard.h"

namespace corokit::graph {
namespace {

std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q += c;
  }
  return q + "\"";
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string pd_node(const std::string& name) { return quote("pd:" + name); }
std::string mr_node(const std::string& name) { return quote("mr:" + name); }

}  // namespace

std::string system_dot(const sdf::System& system) {
  std::string o;
  auto line = [&](const std::string& s) { o += s + "\n"; };
  line("digraph system {");
  line("  graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.4, ranksep=0.8];");
  line("  node [fontname=\"Helvetica\", fontsize=10];");
  line("  edge [fontname=\"Helvetica\", fontsize=9];");

  line("");
  line("  // protection domains");
  for (const sdf::ProtectionDomain& pd : system.pds) {
    std::string label = pd.name + "\npriority " + std::to_string(pd.priority);
    if (pd.passive) label += "\npassive";
    if (pd.budget != pd.period) label += "\nbudget " + std::to_string(pd.budget) + "/" + std::to_string(pd.period) + " us";
    line("  " + pd_node(pd.name) + " [shape=box, style=\"rounded" + std::string(pd.passive ? ",dashed" : "") +
         "\", label=" + quote(label) + "];");
  }

  bool any_child = false;
  for (const sdf::ProtectionDomain& pd : system.pds) any_child |= pd.parent != sdf::kNone;
  if (any_child) {
    line("");
    line("  // parent -> child");
    for (const sdf::ProtectionDomain& pd : system.pds) {
      if (pd.parent == sdf::kNone || pd.parent >= system.pds.size()) continue;
      line("  " + pd_node(system.pds[pd.parent].name) + " -> " + pd_node(pd.name) +
           " [style=bold, color=\"gray40\", arrowhead=diamond, label=" +
           quote("child " + std::to_string(pd.child_id.value_or(0))) + "];");
    }
  }

  if (!system.channels.empty()) {
    line("");
    line("  // channels: notify edges point at the notified PD, ppcall edges at the callee");
    for (const sdf::Channel& ch : system.channels) {
      if (ch.ends.size() != 2) continue;
      const sdf::ChannelEnd& a = ch.ends[0];
      const sdf::ChannelEnd& b = ch.ends[1];
      std::string ids = std::to_string(a.id) + ":" + std::to_string(b.id);
      if (a.notify && b.notify) {
        line("  " + pd_node(a.pd) + " -> " + pd_node(b.pd) + " [dir=both, color=\"darkgreen\", label=" +
             quote("notify " + ids) + "];");
      } else if (a.notify || b.notify) {
        const sdf::ChannelEnd& from = a.notify ? a : b;
        const sdf::ChannelEnd& to = a.notify ? b : a;
        line("  " + pd_node(from.pd) + " -> " + pd_node(to.pd) + " [color=\"darkgreen\", label=" +
             quote("notify " + std::to_string(from.id) + ":" + std::to_string(to.id)) + "];");
      }
      for (int e = 0; e < 2; ++e) {
        const sdf::ChannelEnd& caller = ch.ends[e];
        const sdf::ChannelEnd& callee = ch.ends[1 - e];
        if (!caller.pp) continue;
        line("  " + pd_node(caller.pd) + " -> " + pd_node(callee.pd) + " [color=\"blue\", style=bold, label=" +
             quote("ppcall " + std::to_string(caller.id) + ":" + std::to_string(callee.id)) + "];");
      }
      if (!a.notify && !b.notify && !a.pp && !b.pp) {
        line("  " + pd_node(a.pd) + " -> " + pd_node(b.pd) + " [style=dotted, dir=none, label=" +
             quote("idle " + ids) + "];");
      }
    }
  }

  if (!system.memory_regions.empty()) {
    line("");
    line("  // memory regions and their maps (PD -> MR, labelled with perms and vaddr)");
    for (const sdf::MemoryRegion& mr : system.memory_regions) {
      std::string label = mr.name + "\n" + hex(mr.size);
      if (mr.page_size == sdf::kPageLarge) label += ", 2 MiB pages";
      if (mr.phys_addr) {
        label += "\nphys " + hex(*mr.phys_addr);
        if (auto dev = board::device_by_window(*mr.phys_addr, mr.size ? mr.size : 1)) label += " (" + dev->name() + ")";
      }
      if (mr.prefill_path) label += "\nprefilled";
      line("  " + mr_node(mr.name) + " [shape=cylinder, style=filled, fillcolor=\"lightyellow\", label=" + quote(label) +
           "];");
    }
    for (const sdf::ProtectionDomain& pd : system.pds) {
      for (const sdf::Map& map : pd.maps) {
        std::string label = map.perms.letters() + " @ " + hex(map.vaddr);
        if (!map.cached) label += "\nuncached";
        line("  " + pd_node(pd.name) + " -> " + mr_node(map.mr) + " [style=dashed, color=\"gray50\", arrowhead=odot, label=" +
             quote(label) + "];");
      }
    }
  }

  std::set<uint64_t> irq_numbers;
  for (const sdf::ProtectionDomain& pd : system.pds) {
    for (const sdf::Irq& irq : pd.irqs) irq_numbers.insert(irq.kind == sdf::IrqKind::Arm ? irq.irq : irq.vector);
  }
  if (!irq_numbers.empty()) {
    line("");
    line("  // IRQs -> the PD that receives them (label: that PD's id)");
    for (const sdf::ProtectionDomain& pd : system.pds) {
      for (const sdf::Irq& irq : pd.irqs) {
        std::string number, label;
        switch (irq.kind) {
          case sdf::IrqKind::Arm:
            number = std::to_string(irq.irq);
            label = "IRQ " + number;
            if (auto dev = board::device_by_irq(irq.irq)) label += "\n" + dev->name();
            break;
          case sdf::IrqKind::IoApic:
            number = "vector" + std::to_string(irq.vector);
            label = "I/O APIC pin " + std::to_string(irq.pin) + "\nvector " + std::to_string(irq.vector);
            break;
          case sdf::IrqKind::Msi:
            number = "vector" + std::to_string(irq.vector);
            label = "MSI " + irq.pcidev.to_string() + "\nvector " + std::to_string(irq.vector);
            break;
        }
        std::string node = quote("irq:" + number);
        line("  " + node + " [shape=diamond, style=filled, fillcolor=\"mistyrose\", label=" + quote(label) + "];");
        line("  " + node + " -> " + pd_node(pd.name) + " [color=\"red\", label=" + quote("id " + std::to_string(irq.id)) +
             "];");
      }
    }
  }
  line("}");
  return o;
}

}  // namespace corokit::graph
