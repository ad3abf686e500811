#include "system/runtime/SystemPlan.h"

#include <sys/mman.h>

#include <algorithm>
#include <map>
#include <utility>

namespace corokit::runtime {

Result<SystemPlan> plan_system(const sdf::System& system) {
  SystemPlan plan;
  plan.pds.resize(system.pds.size());
  const uint64_t ipc = board::kUserTop & ~uint64_t{0xfff};

  for (size_t i = 0; i < system.pds.size(); ++i) {
    const sdf::ProtectionDomain& pd = system.pds[i];
    PdPlan& p = plan.pds[i];
    p.stack_bottom = ipc - 0x1000 - pd.stack_size;
    for (const sdf::Map& m : pd.maps) {
      if (m.mr_index == sdf::kNone || m.mr_index >= system.memory_regions.size()) {
        return Error{"PD '" + pd.name + "': map of unknown memory region '" + m.mr + "'"};
      }
      uint32_t prot = (m.perms.read ? PROT_READ : 0) | (m.perms.write ? PROT_WRITE : 0) | (m.perms.execute ? PROT_EXEC : 0);
      p.maps.push_back(PlannedMap{m.mr_index, m.vaddr, system.memory_regions[m.mr_index].size, prot});
    }
    for (const sdf::Irq& irq : pd.irqs) {
      if (irq.kind != sdf::IrqKind::Arm) return Error{"PD '" + pd.name + "': x86 IRQs are not supported on the host board"};
      std::optional<board::Device> dev = board::device_by_irq(irq.irq);
      if (!dev) return Error{"PD '" + pd.name + "': IRQ " + std::to_string(irq.irq) + " is not a host-board device interrupt"};
      if (irq.id >= host::kMaxIds) return Error{"PD '" + pd.name + "': IRQ id out of range"};
      p.irqs.push_back(PlannedIrq{static_cast<uint32_t>(irq.id), *dev});
      p.irq_mask |= uint64_t{1} << irq.id;
      p.channels[irq.id].kind = host::ChannelKind::Irq;
    }
    for (uint32_t c : pd.children) {
      const sdf::ProtectionDomain& child = system.pds[c];
      p.children.push_back(host::BootChild{static_cast<uint32_t>(child.child_id.value_or(0)), c,
                                           static_cast<uint32_t>(child.priority)});
    }
    if (p.children.size() > host::kMaxChildren) return Error{"PD '" + pd.name + "' has more than 64 children"};
  }

  std::map<std::pair<uint32_t, uint32_t>, uint32_t> pair_index;
  auto pair_of = [&](uint32_t a, uint32_t b) {
    auto key = std::minmax(a, b);
    auto [it, fresh] = pair_index.try_emplace(std::pair<uint32_t, uint32_t>{key.first, key.second}, static_cast<uint32_t>(plan.pairs.size()));
    if (fresh) {
      plan.pairs.push_back(PlannedPair{{key.first, key.second}, 0});
      for (uint32_t side = 0; side < 2; ++side) {
        uint32_t me = side == 0 ? key.first : key.second;
        uint32_t peer = side == 0 ? key.second : key.first;
        if (side == 1 && key.first == key.second) break;
        plan.pds[me].pairs.push_back(PairRef{it->second, side, 0, peer});
      }
    }
    return it->second;
  };
  auto ref_of = [&](uint32_t pd, uint32_t pair) -> PairRef& {
    for (PairRef& r : plan.pds[pd].pairs) {
      if (r.pair == pair) return r;
    }
    return plan.pds[pd].pairs.front();  // unreachable: pair_of registered it
  };

  for (const sdf::Channel& ch : system.channels) {
    if (ch.ends.size() != 2) return Error{"a channel without exactly two ends"};
    const sdf::ChannelEnd& e0 = ch.ends[0];
    const sdf::ChannelEnd& e1 = ch.ends[1];
    if (e0.pd_index >= system.pds.size() || e1.pd_index >= system.pds.size()) return Error{"unresolved channel end"};
    uint32_t pair = pair_of(e0.pd_index, e1.pd_index);
    unsigned slot = 0;
    if (e0.pp || e1.pp) slot = plan.pairs[pair].slots++;
    for (int k = 0; k < 2; ++k) {
      const sdf::ChannelEnd& me = k == 0 ? e0 : e1;
      const sdf::ChannelEnd& other = k == 0 ? e1 : e0;
      if (me.id >= host::kMaxIds || other.id >= host::kMaxIds) return Error{"channel id out of range"};
      PdPlan& p = plan.pds[me.pd_index];
      host::BootChannel& bc = p.channels[me.id];
      bc.kind = host::ChannelKind::Channel;
      bc.can_notify = me.notify;
      bc.can_call = me.pp;
      bc.callee = other.pp;
      bc.peer_id = static_cast<uint8_t>(other.id);
      bc.pair = static_cast<uint16_t>(pair);  // rewritten to the PD's local pair index below
      bc.slot = static_cast<uint16_t>(slot);
      bc.peer_priority = static_cast<uint8_t>(system.pds[other.pd_index].priority);
      if (other.notify) ref_of(me.pd_index, pair).receive_mask |= uint64_t{1} << me.id;
    }
  }

  // Calls carry an arrival tick only where they can queue behind a call of the same priority from
  // another PD (a PD has at most one call outstanding).
  std::map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>> callers;  // (callee, priority) → caller PDs
  for (const sdf::Channel& ch : system.channels) {
    for (int k = 0; k < 2; ++k) {
      const sdf::ChannelEnd& me = ch.ends[k];
      const sdf::ChannelEnd& other = ch.ends[1 - k];
      if (!me.pp) continue;
      std::vector<uint32_t>& group = callers[{other.pd_index, static_cast<uint32_t>(system.pds[me.pd_index].priority)}];
      if (std::find(group.begin(), group.end(), me.pd_index) == group.end()) group.push_back(me.pd_index);
    }
  }
  for (const sdf::Channel& ch : system.channels) {
    for (int k = 0; k < 2; ++k) {
      const sdf::ChannelEnd& me = ch.ends[k];
      const sdf::ChannelEnd& other = ch.ends[1 - k];
      if (me.pp && callers[{other.pd_index, static_cast<uint32_t>(system.pds[me.pd_index].priority)}].size() > 1) {
        plan.pds[me.pd_index].channels[me.id].stamp_calls = 1;
      }
    }
  }

  // Channel tables refer to the PD's own list of pairs.
  for (PdPlan& p : plan.pds) {
    for (host::BootChannel& bc : p.channels) {
      if (bc.kind != host::ChannelKind::Channel) continue;
      for (size_t r = 0; r < p.pairs.size(); ++r) {
        if (p.pairs[r].pair == bc.pair) {
          bc.pair = static_cast<uint16_t>(r);
          break;
        }
      }
    }
  }
  return plan;
}

Status apply_ppc_timeouts(SystemPlan& plan, const sdf::System& system, const std::vector<PpcTimeout>& timeouts) {
  for (const PpcTimeout& t : timeouts) {
    if (!t.pd.empty()) continue;
    for (PdPlan& p : plan.pds) {
      for (host::BootChannel& bc : p.channels) {
        if (bc.kind == host::ChannelKind::Channel && bc.can_call) bc.call_timeout_us = t.us;
      }
    }
  }
  for (const PpcTimeout& t : timeouts) {
    if (t.pd.empty()) continue;
    uint32_t pd = system.find_pd(t.pd);
    if (pd == sdf::kNone) return Error{"--ppc-timeout: no PD named '" + t.pd + "'"};
    host::BootChannel& bc = plan.pds[pd].channels[t.channel];
    if (bc.kind != host::ChannelKind::Channel || !bc.can_call) {
      return Error{"--ppc-timeout: channel " + std::to_string(t.channel) + " of PD '" + t.pd + "' is not a pp channel end"};
    }
    bc.call_timeout_us = t.us;
  }
  return Ok{};
}

std::optional<uint32_t> find_pair(const SystemPlan& plan, uint32_t a, uint32_t b) {
  auto key = std::minmax(a, b);
  for (size_t i = 0; i < plan.pairs.size(); ++i) {
    if (plan.pairs[i].pd[0] == key.first && plan.pairs[i].pd[1] == key.second) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

}  // namespace corokit::runtime
