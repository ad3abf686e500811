#include "system/image/PackReport.h"

#include <algorithm>
#include <cstdio>

namespace corokit::image {
namespace {

using json = nlohmann::json;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string perms3(bool r, bool w, bool x) {
  return std::string(r ? "r" : "-") + (w ? "w" : "-") + (x ? "x" : "-");
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

// A patched value as people read it: the name as a string, small values in decimal, words in hex.
std::string patch_value(const Patch& p) {
  if (p.symbol == "microkit_name") {
    std::string s;
    for (uint8_t b : p.bytes) {
      if (b == 0) break;
      s += static_cast<char>(b);
    }
    return "\"" + s + "\"";
  }
  uint64_t v = 0;
  for (size_t i = 0; i < p.bytes.size() && i < 8; ++i) v |= uint64_t{p.bytes[i]} << (8 * i);
  return p.bytes.size() == 1 ? std::to_string(v) : hex(v);
}

struct Area {
  uint64_t begin, end;
  std::string perms;
  std::string what;
};

struct PdLayout {
  std::vector<Area> areas;
  uint64_t stack_bottom, stack_top, ipc;
};

PdLayout layout_of(const SystemImage& image, uint32_t index, uint64_t user_top) {
  const sdf::ProtectionDomain& pd = image.system.pds[index];
  const PdImage& pi = image.pds[index];
  PdLayout l;
  l.ipc = user_top & ~uint64_t{0xfff};
  l.stack_top = l.ipc - 0x1000;
  l.stack_bottom = l.stack_top - pd.stack_size;
  for (size_t s = 0; s < pi.segments.size(); ++s) {
    const LoadSegment& seg = pi.segments[s];
    l.areas.push_back({seg.vaddr, seg.vaddr + seg.mem_size, perms3(seg.read, seg.write, seg.execute),
                       "ELF segment " + std::to_string(s) + " (" + hex(seg.file_size) + " bytes from the file)"});
  }
  for (const sdf::Map& m : pd.maps) {
    const sdf::MemoryRegion& mr = image.system.memory_regions[m.mr_index];
    std::string what = "map of '" + mr.name + "', page size " + hex(mr.page_size);
    if (mr.phys_addr) what += ", phys " + hex(*mr.phys_addr);
    if (!m.cached) what += ", uncached";
    l.areas.push_back({m.vaddr, m.vaddr + mr.size, perms3(m.perms.read, m.perms.write, m.perms.execute), what});
  }
  l.areas.push_back({l.stack_bottom, l.stack_top, "rw-", "stack (" + hex(pd.stack_size) + " bytes)"});
  l.areas.push_back({l.stack_top, l.ipc, "---", "guard page"});
  l.areas.push_back({l.ipc, l.ipc + 0x1000, "rw-", "IPC buffer (runtime page)"});
  std::stable_sort(l.areas.begin(), l.areas.end(), [](const Area& a, const Area& b) { return a.begin < b.begin; });
  return l;
}

std::string page_size_note(const sdf::MemoryRegion& mr) {
  if (mr.declared_page_size) return "declared";
  return mr.page_size == sdf::kPageLarge ? "promoted" : "default";
}

bool assigned(const SystemImage& image, uint32_t mr) {
  return std::binary_search(image.assigned_paddrs.begin(), image.assigned_paddrs.end(), mr);
}

std::string device_name(const DeviceUse& d) {
  for (const board::Device& b : board::devices()) {
    if (b.kind == d.kind && b.index == d.index) return b.name();
  }
  return "device";
}

const board::Device* board_device(const DeviceUse& d) {
  for (const board::Device& b : board::devices()) {
    if (b.kind == d.kind && b.index == d.index) return &b;
  }
  return nullptr;
}

// The channel ends of PD `index`: (this end, other end).
std::vector<std::pair<const sdf::ChannelEnd*, const sdf::ChannelEnd*>> ends_of(const sdf::System& s, uint32_t index) {
  std::vector<std::pair<const sdf::ChannelEnd*, const sdf::ChannelEnd*>> out;
  for (const sdf::Channel& ch : s.channels) {
    if (ch.ends.size() != 2) continue;
    for (int e = 0; e < 2; ++e) {
      if (ch.ends[e].pd_index == index) out.push_back({&ch.ends[e], &ch.ends[1 - e]});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first->id < b.first->id; });
  return out;
}

// The PDs running each ELF, by ELF number.
std::vector<std::vector<uint32_t>> users_of_elfs(const SystemImage& image) {
  std::vector<std::vector<uint32_t>> users(image.elfs.size());
  for (uint32_t i = 0; i < image.pds.size(); ++i) {
    if (image.pds[i].elf < users.size()) users[image.pds[i].elf].push_back(i);
  }
  return users;
}

const char* kHostScheduling =
    "priority: SCHED_FIFO (order-preserving) when the monitor may use it, else nice values in priority "
    "order; budget/period: SCHED_DEADLINE when permitted, else not enforced (one warning at run time)";

}  // namespace

std::string report_text(const SystemImage& image, uint64_t user_top) {
  const sdf::System& sys = image.system;
  std::string o;
  auto line = [&](const std::string& s) { o += s + "\n"; };
  line("corokit system image report");
  line("");
  std::vector<std::vector<uint32_t>> elf_users = users_of_elfs(image);
  line("# Protection domains (" + std::to_string(sys.pds.size()) + ")");
  for (uint32_t i = 0; i < sys.pds.size(); ++i) {
    const sdf::ProtectionDomain& pd = sys.pds[i];
    const PdImage& pi = image.pds[i];
    line("");
    std::string head = "PD " + std::to_string(i) + " '" + pd.name + "'";
    if (pd.parent != sdf::kNone) {
      head += " (child " + std::to_string(pd.child_id.value_or(0)) + " of '" + sys.pds[pd.parent].name + "')";
    }
    line(head);
    line("  priority " + std::to_string(pd.priority) + ", budget " + std::to_string(pd.budget) + " us, period " +
         std::to_string(pd.period) + " us, passive " + yes_no(pd.passive) + ", cpu " + (pd.cpu ? std::to_string(*pd.cpu) : std::string("any")) +
         ", stack " + hex(pd.stack_size) + (pd.domain ? ", domain '" + *pd.domain + "'" : ""));
    line(std::string("  host scheduling: ") + kHostScheduling);
    if (!pd.children.empty()) {
      std::string c;
      for (uint32_t k : pd.children) {
        c += (c.empty() ? "" : ", ") + std::string("'") + sys.pds[k].name + "' (id " +
             std::to_string(sys.pds[k].child_id.value_or(0)) + ")";
      }
      line("  children: " + c);
    }
    size_t others = elf_users[pi.elf].size() - 1;
    line("  image: " + pi.source_path + " (ELF " + std::to_string(pi.elf) + ", " + std::to_string(image.elf_of(i).size()) +
         " bytes" + (others == 0 ? "" : ", shared with " + std::to_string(others) + " other PD" + (others == 1 ? "" : "s")) +
         "), entry " + hex(pi.entry));
    line("  address space:");
    PdLayout l = layout_of(image, i, user_top);
    for (const Area& a : l.areas) line("    [" + hex(a.begin) + ".." + hex(a.end) + ") " + a.perms + " " + a.what);
    auto ends = ends_of(sys, i);
    if (!ends.empty()) {
      line("  channels:");
      for (const auto& [mine, other] : ends) {
        line("    id " + std::to_string(mine->id) + " <-> '" + other->pd + "' id " + std::to_string(other->id) +
             ": this end notify " + yes_no(mine->notify) + ", pp " + yes_no(mine->pp) + "; other end notify " +
             yes_no(other->notify) + ", pp " + yes_no(other->pp));
      }
    }
    if (!pd.irqs.empty()) {
      line("  IRQs:");
      for (const sdf::Irq& irq : pd.irqs) {
        std::string dev;
        if (auto d = board::device_by_irq(irq.irq)) dev = " (" + d->name() + ")";
        line("    id " + std::to_string(irq.id) + ": irq " + std::to_string(irq.irq) + dev + ", trigger " +
             (irq.trigger == sdf::Trigger::Edge ? "edge" : "level"));
      }
    }
    line("  patched symbols:");
    for (const Patch& p : pi.patches) {
      line("    " + p.symbol + " @ " + hex(p.vaddr) + " (" + std::to_string(p.bytes.size()) + " bytes) = " +
           patch_value(p) + "  [" + p.source + "]");
    }
  }

  uint64_t stored = 0;
  for (const std::vector<uint8_t>& e : image.elfs) stored += e.size();
  line("");
  line("# ELFs (" + std::to_string(image.elfs.size()) + ", " + std::to_string(stored) + " bytes, each stored once)");
  for (uint32_t e = 0; e < image.elfs.size(); ++e) {
    std::string users;
    for (uint32_t pd : elf_users[e]) users += (users.empty() ? "'" : ", '") + sys.pds[pd].name + "'";
    std::string from = elf_users[e].empty() ? "" : ", from " + image.pds[elf_users[e].front()].source_path;
    line("  ELF " + std::to_string(e) + ": " + std::to_string(image.elfs[e].size()) + " bytes" + from + "; run by " +
         std::to_string(elf_users[e].size()) + " PD" + (elf_users[e].size() == 1 ? "" : "s") +
         (users.empty() ? "" : ": " + users));
  }

  line("");
  line("# Memory regions (" + std::to_string(sys.memory_regions.size()) + ")");
  for (uint32_t m = 0; m < sys.memory_regions.size(); ++m) {
    const sdf::MemoryRegion& mr = sys.memory_regions[m];
    line("");
    std::string paddr = mr.phys_addr ? hex(*mr.phys_addr) + (assigned(image, m) ? " (assigned)" : " (declared)") : "none";
    line("MR '" + mr.name + "': size " + hex(mr.size) + ", page size " + hex(mr.page_size) + " (" + page_size_note(mr) +
         "), physical address " + paddr);
    if (mr.prefill_path) {
      line("  prefill: " + std::to_string(mr.prefill.size()) + " bytes from '" + *mr.prefill_path + "'");
    }
    bool used = false;
    for (const sdf::ProtectionDomain& pd : sys.pds) {
      for (const sdf::Map& map : pd.maps) {
        if (map.mr_index != m) continue;
        used = true;
        line("  mapped by '" + pd.name + "' at " + hex(map.vaddr) + " perms " + map.perms.letters() +
             (map.cached ? "" : " uncached"));
      }
    }
    if (!used) line("  not mapped by any PD");
  }

  line("");
  line("# Channels (" + std::to_string(sys.channels.size()) + ")");
  for (size_t c = 0; c < sys.channels.size(); ++c) {
    const sdf::Channel& ch = sys.channels[c];
    if (ch.ends.size() != 2) continue;
    auto end = [](const sdf::ChannelEnd& e) {
      std::string facets;
      if (e.notify) facets += "notify";
      if (e.pp) facets += std::string(facets.empty() ? "" : ", ") + "pp";
      return "'" + e.pd + "' id " + std::to_string(e.id) + " (" + (facets.empty() ? "nothing" : facets) + ")";
    };
    line("  " + std::to_string(c) + ": " + end(ch.ends[0]) + " <-> " + end(ch.ends[1]));
  }

  line("");
  line("# Host-board devices (" + std::to_string(image.devices.size()) + ")");
  for (const DeviceUse& d : image.devices) {
    const board::Device* b = board_device(d);
    std::string s = "  " + device_name(d);
    if (b) s += " (irq " + std::to_string(b->irq) + ", window " + hex(b->window) + ")";
    s += ": driver ";
    s += d.driver_pd == sdf::kNone ? std::string("none") : "'" + sys.pds[d.driver_pd].name + "' (irq id " + std::to_string(d.irq_id) + ")";
    for (uint32_t m : d.window_mrs) s += ", window MR '" + sys.memory_regions[m].name + "'";
    line(s);
  }
  return o;
}

json report_json(const SystemImage& image, uint64_t user_top) {
  const sdf::System& sys = image.system;
  json r;
  r["version"] = 1;
  r["protection_domains"] = json::array();
  for (uint32_t i = 0; i < sys.pds.size(); ++i) {
    const sdf::ProtectionDomain& pd = sys.pds[i];
    const PdImage& pi = image.pds[i];
    json p;
    p["index"] = i;
    p["name"] = pd.name;
    p["priority"] = pd.priority;
    p["budget_us"] = pd.budget;
    p["period_us"] = pd.period;
    p["passive"] = pd.passive;
    p["cpu"] = pd.cpu ? json(*pd.cpu) : json(nullptr);
    p["stack_size"] = pd.stack_size;
    p["domain"] = pd.domain ? json(*pd.domain) : json(nullptr);
    p["host_scheduling"] = kHostScheduling;
    p["parent"] = pd.parent == sdf::kNone ? json(nullptr) : json(sys.pds[pd.parent].name);
    p["child_id"] = pd.child_id ? json(*pd.child_id) : json(nullptr);
    p["children"] = json::array();
    for (uint32_t k : pd.children) p["children"].push_back(sys.pds[k].name);
    p["image"] = {{"path", pi.source_path}, {"elf", pi.elf}, {"size", image.elf_of(i).size()}, {"entry", pi.entry}};
    PdLayout l = layout_of(image, i, user_top);
    p["stack"] = {{"bottom", l.stack_bottom}, {"top", l.stack_top}, {"guard", {l.stack_top, l.ipc}}, {"ipc_buffer", l.ipc}};
    p["address_space"] = json::array();
    for (const Area& a : l.areas) {
      p["address_space"].push_back({{"begin", a.begin}, {"end", a.end}, {"perms", a.perms}, {"what", a.what}});
    }
    p["maps"] = json::array();
    for (const sdf::Map& m : pd.maps) {
      const sdf::MemoryRegion& mr = sys.memory_regions[m.mr_index];
      p["maps"].push_back({{"mr", mr.name}, {"vaddr", m.vaddr}, {"size", mr.size}, {"perms", m.perms.letters()},
                           {"cached", m.cached}, {"page_size", mr.page_size},
                           {"phys_addr", mr.phys_addr ? json(*mr.phys_addr) : json(nullptr)}});
    }
    p["channels"] = json::array();
    for (const auto& [mine, other] : ends_of(sys, i)) {
      p["channels"].push_back({{"id", mine->id}, {"notify", mine->notify}, {"pp", mine->pp}, {"peer", other->pd},
                               {"peer_id", other->id}, {"peer_notify", other->notify}, {"peer_pp", other->pp}});
    }
    p["irqs"] = json::array();
    for (const sdf::Irq& irq : pd.irqs) {
      auto d = board::device_by_irq(irq.irq);
      p["irqs"].push_back({{"id", irq.id}, {"irq", irq.irq}, {"trigger", irq.trigger == sdf::Trigger::Edge ? "edge" : "level"},
                           {"device", d ? json(d->name()) : json(nullptr)}});
    }
    p["patches"] = json::array();
    for (const Patch& pt : pi.patches) {
      p["patches"].push_back({{"symbol", pt.symbol}, {"vaddr", pt.vaddr}, {"size", pt.bytes.size()},
                              {"value", patch_value(pt)}, {"source", pt.source}});
    }
    r["protection_domains"].push_back(p);
  }
  r["elfs"] = json::array();
  std::vector<std::vector<uint32_t>> elf_users = users_of_elfs(image);
  for (uint32_t e = 0; e < image.elfs.size(); ++e) {
    json users = json::array();
    for (uint32_t pd : elf_users[e]) users.push_back(sys.pds[pd].name);
    r["elfs"].push_back({{"index", e}, {"size", image.elfs[e].size()},
                         {"path", elf_users[e].empty() ? json(nullptr) : json(image.pds[elf_users[e].front()].source_path)},
                         {"pds", users}});
  }
  r["memory_regions"] = json::array();
  for (uint32_t m = 0; m < sys.memory_regions.size(); ++m) {
    const sdf::MemoryRegion& mr = sys.memory_regions[m];
    json j;
    j["name"] = mr.name;
    j["size"] = mr.size;
    j["page_size"] = mr.page_size;
    j["page_size_origin"] = page_size_note(mr);
    j["phys_addr"] = mr.phys_addr ? json(*mr.phys_addr) : json(nullptr);
    j["phys_addr_assigned"] = assigned(image, m);
    j["prefill_size"] = mr.prefill.size();
    j["prefill_path"] = mr.prefill_path ? json(*mr.prefill_path) : json(nullptr);
    j["users"] = json::array();
    for (const sdf::ProtectionDomain& pd : sys.pds) {
      for (const sdf::Map& map : pd.maps) {
        if (map.mr_index == m) {
          j["users"].push_back({{"pd", pd.name}, {"vaddr", map.vaddr}, {"perms", map.perms.letters()}, {"cached", map.cached}});
        }
      }
    }
    r["memory_regions"].push_back(j);
  }
  r["channels"] = json::array();
  for (const sdf::Channel& ch : sys.channels) {
    json ends = json::array();
    for (const sdf::ChannelEnd& e : ch.ends) {
      ends.push_back({{"pd", e.pd}, {"id", e.id}, {"notify", e.notify}, {"pp", e.pp}});
    }
    r["channels"].push_back(ends);
  }
  r["devices"] = json::array();
  for (const DeviceUse& d : image.devices) {
    const board::Device* b = board_device(d);
    r["devices"].push_back({{"device", device_name(d)}, {"irq", b ? json(b->irq) : json(nullptr)},
                            {"window", b ? json(b->window) : json(nullptr)},
                            {"driver", d.driver_pd == sdf::kNone ? json(nullptr) : json(sys.pds[d.driver_pd].name)},
                            {"irq_id", d.driver_pd == sdf::kNone ? json(nullptr) : json(d.irq_id)},
                            {"window_mrs", [&] {
                               json a = json::array();
                               for (uint32_t m : d.window_mrs) a.push_back(sys.memory_regions[m].name);
                               return a;
                             }()}});
  }
  return r;
}

}  // namespace corokit::image
