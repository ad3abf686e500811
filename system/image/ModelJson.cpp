#include "system/image/ModelJson.h"

#include <cstdio>

#include "system/image/JsonFields.h"

namespace corokit::image {
namespace {

using json = nlohmann::json;

template <typename T>
void put_opt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

const char* irq_kind_name(sdf::IrqKind k) {
  switch (k) {
    case sdf::IrqKind::Arm: return "arm";
    case sdf::IrqKind::IoApic: return "ioapic";
    case sdf::IrqKind::Msi: return "msi";
  }
  return "arm";
}

json perms_json(const sdf::Perms& p) { return p.letters(); }

json map_json(const sdf::Map& m) {
  json j;
  j["mr"] = m.mr;
  j["mr_index"] = m.mr_index;
  j["vaddr"] = m.vaddr;
  j["perms"] = perms_json(m.perms);
  j["cached"] = m.cached;
  put_opt(j, "setvar_vaddr", m.setvar_vaddr);
  put_opt(j, "setvar_size", m.setvar_size);
  put_opt(j, "setvar_prefill_size", m.setvar_prefill_size);
  return j;
}

json pd_json(const sdf::ProtectionDomain& pd) {
  json j;
  j["name"] = pd.name;
  j["priority"] = pd.priority;
  j["budget"] = pd.budget;
  j["period"] = pd.period;
  j["passive"] = pd.passive;
  j["stack_size"] = pd.stack_size;
  put_opt(j, "cpu", pd.cpu);
  j["smc"] = pd.smc;
  j["fpu"] = pd.fpu;
  put_opt(j, "domain", pd.domain);
  j["domain_index"] = pd.domain_index;
  put_opt(j, "child_id", pd.child_id);
  put_opt(j, "setvar_id", pd.setvar_id);
  j["parent"] = pd.parent;
  j["children"] = pd.children;
  if (pd.program_image) {
    json pi;
    pi["path"] = pd.program_image->path;
    put_opt(pi, "path_for_symbols", pd.program_image->path_for_symbols);
    j["program_image"] = pi;
  }
  j["maps"] = json::array();
  for (const sdf::Map& m : pd.maps) j["maps"].push_back(map_json(m));
  j["irqs"] = json::array();
  for (const sdf::Irq& irq : pd.irqs) {
    json i;
    i["kind"] = irq_kind_name(irq.kind);
    i["id"] = irq.id;
    put_opt(i, "setvar_id", irq.setvar_id);
    i["irq"] = irq.irq;
    i["trigger"] = irq.trigger == sdf::Trigger::Edge ? "edge" : "level";
    i["pin"] = irq.pin;
    i["ioapic"] = irq.ioapic;
    i["polarity"] = irq.polarity == sdf::Polarity::Low ? "low" : "high";
    i["vector"] = irq.vector;
    i["pcidev"] = irq.pcidev.to_string();
    i["handle"] = irq.handle;
    j["irqs"].push_back(i);
  }
  j["ioports"] = json::array();
  for (const sdf::IoPort& p : pd.ioports) {
    json i;
    i["id"] = p.id;
    i["addr"] = p.addr;
    i["size"] = p.size;
    put_opt(i, "setvar_id", p.setvar_id);
    put_opt(i, "setvar_addr", p.setvar_addr);
    j["ioports"].push_back(i);
  }
  j["setvars"] = json::array();
  for (const sdf::SetVar& s : pd.setvars) {
    j["setvars"].push_back({{"symbol", s.symbol}, {"region_paddr", s.region_paddr}, {"mr_index", s.mr_index}});
  }
  j["caps"] = json::array();
  for (const sdf::Cap& c : pd.caps) {
    j["caps"].push_back({{"kind", sdf::to_string(c.kind)}, {"slot", c.slot}, {"pd", c.pd}, {"pd_index", c.pd_index}});
  }
  if (pd.virtual_machine) {
    const sdf::VirtualMachine& vm = *pd.virtual_machine;
    json v;
    v["name"] = vm.name;
    v["priority"] = vm.priority;
    v["budget"] = vm.budget;
    v["period"] = vm.period;
    v["vcpus"] = json::array();
    for (const sdf::Vcpu& c : vm.vcpus) {
      json cj;
      cj["id"] = c.id;
      put_opt(cj, "cpu", c.cpu);
      put_opt(cj, "setvar_id", c.setvar_id);
      v["vcpus"].push_back(cj);
    }
    v["maps"] = json::array();
    for (const sdf::Map& m : vm.maps) v["maps"].push_back(map_json(m));
    j["virtual_machine"] = v;
  }
  return j;
}

// ---- decoding ----

class Decoder {
 public:
  JsonFields f;

  sdf::Perms perms(const json& obj, const std::string& where) {
    std::string s = f.str(obj, where, "perms");
    sdf::Perms p;
    for (char c : s) {
      if (c == 'r') p.read = true;
      else if (c == 'w') p.write = true;
      else if (c == 'x') p.execute = true;
      else f.fail(where, "'perms' has an unknown letter");
    }
    return p;
  }

  uint32_t index(const json& obj, const std::string& where, const char* key) {
    uint64_t v = f.u64(obj, where, key);
    if (v > UINT32_MAX) f.fail(where, std::string("'") + key + "' is out of range");
    return static_cast<uint32_t>(v);
  }

  sdf::Map map(const json& j, const std::string& where) {
    sdf::Map m;
    m.mr = f.str(j, where, "mr");
    m.mr_index = index(j, where, "mr_index");
    m.vaddr = f.u64(j, where, "vaddr");
    m.perms = perms(j, where);
    m.cached = f.boolean(j, where, "cached");
    m.setvar_vaddr = f.opt_str(j, where, "setvar_vaddr");
    m.setvar_size = f.opt_str(j, where, "setvar_size");
    m.setvar_prefill_size = f.opt_str(j, where, "setvar_prefill_size");
    return m;
  }

  template <typename E>
  E choice(const json& j, const std::string& where, const char* key,
           std::initializer_list<std::pair<const char*, E>> options) {
    std::string s = f.str(j, where, key);
    for (const auto& [name, value] : options) {
      if (s == name) return value;
    }
    f.fail(where, std::string("'") + key + "' has an unknown value");
    return options.begin()->second;
  }

  sdf::PciAddress pci(const json& j, const std::string& where, const char* key) {
    std::string s = f.str(j, where, key);
    unsigned bus = 0, dev = 0, fn = 0;
    char tail = 0;
    if (std::sscanf(s.c_str(), "%2x:%2x.%1x%c", &bus, &dev, &fn, &tail) != 3 || s.size() != 7) {
      f.fail(where, std::string("'") + key + "' is not bb:dd.f");
    }
    return {static_cast<uint8_t>(bus), static_cast<uint8_t>(dev), static_cast<uint8_t>(fn)};
  }

  sdf::ProtectionDomain pd(const json& j, const std::string& w) {
    sdf::ProtectionDomain pd;
    pd.name = f.str(j, w, "name");
    pd.priority = f.u64(j, w, "priority");
    pd.budget = f.u64(j, w, "budget");
    pd.period = f.u64(j, w, "period");
    pd.passive = f.boolean(j, w, "passive");
    pd.stack_size = f.u64(j, w, "stack_size");
    pd.cpu = f.opt_u64(j, w, "cpu");
    pd.smc = f.boolean(j, w, "smc");
    pd.fpu = f.boolean(j, w, "fpu");
    pd.domain = f.opt_str(j, w, "domain");
    pd.domain_index = index(j, w, "domain_index");
    pd.child_id = f.opt_u64(j, w, "child_id");
    pd.setvar_id = f.opt_str(j, w, "setvar_id");
    pd.parent = index(j, w, "parent");
    const json& children = f.array(j, w, "children");
    for (size_t i = 0; i < children.size(); ++i) {
      if (!children[i].is_number_unsigned() || children[i].get<uint64_t>() > UINT32_MAX) {
        f.fail(w + ".children[" + std::to_string(i) + "]", "not an index");
        break;
      }
      pd.children.push_back(static_cast<uint32_t>(children[i].get<uint64_t>()));
    }
    if (auto pi = f.opt_object(j, w, "program_image")) {
      std::string pw = w + ".program_image";
      pd.program_image = sdf::ProgramImage{};
      pd.program_image->path = f.str(*pi, pw, "path");
      pd.program_image->path_for_symbols = f.opt_str(*pi, pw, "path_for_symbols");
    }
    const json& maps = f.array(j, w, "maps");
    for (size_t i = 0; i < maps.size(); ++i) pd.maps.push_back(map(maps[i], w + ".maps[" + std::to_string(i) + "]"));
    const json& irqs = f.array(j, w, "irqs");
    for (size_t i = 0; i < irqs.size(); ++i) {
      std::string iw = w + ".irqs[" + std::to_string(i) + "]";
      const json& ij = irqs[i];
      sdf::Irq irq;
      irq.kind = choice<sdf::IrqKind>(ij, iw, "kind",
                                      {{"arm", sdf::IrqKind::Arm}, {"ioapic", sdf::IrqKind::IoApic}, {"msi", sdf::IrqKind::Msi}});
      irq.id = f.u64(ij, iw, "id");
      irq.setvar_id = f.opt_str(ij, iw, "setvar_id");
      irq.irq = f.u64(ij, iw, "irq");
      irq.trigger = choice<sdf::Trigger>(ij, iw, "trigger", {{"level", sdf::Trigger::Level}, {"edge", sdf::Trigger::Edge}});
      irq.pin = f.u64(ij, iw, "pin");
      irq.ioapic = f.u64(ij, iw, "ioapic");
      irq.polarity = choice<sdf::Polarity>(ij, iw, "polarity", {{"high", sdf::Polarity::High}, {"low", sdf::Polarity::Low}});
      irq.vector = f.u64(ij, iw, "vector");
      irq.pcidev = pci(ij, iw, "pcidev");
      irq.handle = f.u64(ij, iw, "handle");
      pd.irqs.push_back(std::move(irq));
    }
    const json& ports = f.array(j, w, "ioports");
    for (size_t i = 0; i < ports.size(); ++i) {
      std::string iw = w + ".ioports[" + std::to_string(i) + "]";
      sdf::IoPort p;
      p.id = f.u64(ports[i], iw, "id");
      p.addr = f.u64(ports[i], iw, "addr");
      p.size = f.u64(ports[i], iw, "size");
      p.setvar_id = f.opt_str(ports[i], iw, "setvar_id");
      p.setvar_addr = f.opt_str(ports[i], iw, "setvar_addr");
      pd.ioports.push_back(std::move(p));
    }
    const json& setvars = f.array(j, w, "setvars");
    for (size_t i = 0; i < setvars.size(); ++i) {
      std::string iw = w + ".setvars[" + std::to_string(i) + "]";
      sdf::SetVar s;
      s.symbol = f.str(setvars[i], iw, "symbol");
      s.region_paddr = f.str(setvars[i], iw, "region_paddr");
      s.mr_index = index(setvars[i], iw, "mr_index");
      pd.setvars.push_back(std::move(s));
    }
    const json& caps = f.array(j, w, "caps");
    for (size_t i = 0; i < caps.size(); ++i) {
      std::string iw = w + ".caps[" + std::to_string(i) + "]";
      sdf::Cap c;
      c.kind = choice<sdf::CapKind>(caps[i], iw, "kind",
                                    {{"Tcb", sdf::CapKind::Tcb}, {"Sc", sdf::CapKind::Sc}, {"VSpace", sdf::CapKind::VSpace}});
      c.slot = f.u64(caps[i], iw, "slot");
      c.pd = f.str(caps[i], iw, "pd");
      c.pd_index = index(caps[i], iw, "pd_index");
      pd.caps.push_back(std::move(c));
    }
    if (auto vmj = f.opt_object(j, w, "virtual_machine")) {
      std::string vw = w + ".virtual_machine";
      sdf::VirtualMachine vm;
      vm.name = f.str(*vmj, vw, "name");
      vm.priority = f.u64(*vmj, vw, "priority");
      vm.budget = f.u64(*vmj, vw, "budget");
      vm.period = f.u64(*vmj, vw, "period");
      const json& vcpus = f.array(*vmj, vw, "vcpus");
      for (size_t i = 0; i < vcpus.size(); ++i) {
        std::string iw = vw + ".vcpus[" + std::to_string(i) + "]";
        sdf::Vcpu c;
        c.id = f.u64(vcpus[i], iw, "id");
        c.cpu = f.opt_u64(vcpus[i], iw, "cpu");
        c.setvar_id = f.opt_str(vcpus[i], iw, "setvar_id");
        vm.vcpus.push_back(std::move(c));
      }
      const json& vmaps = f.array(*vmj, vw, "maps");
      for (size_t i = 0; i < vmaps.size(); ++i) vm.maps.push_back(map(vmaps[i], vw + ".maps[" + std::to_string(i) + "]"));
      pd.virtual_machine = std::move(vm);
    }
    return pd;
  }
};

const std::pair<const char*, sdf::BootInfo> kBootInfos[] = {
    {"x86_vbe", sdf::BootInfo::X86Vbe},
    {"x86_mbmmap", sdf::BootInfo::X86MbMmap},
    {"x86_acpi_rsdp", sdf::BootInfo::X86AcpiRsdp},
    {"x86_framebuffer", sdf::BootInfo::X86Framebuffer},
    {"x86_tsc_freq", sdf::BootInfo::X86TscFreq},
    {"fdt", sdf::BootInfo::Fdt},
};

}  // namespace

nlohmann::json system_to_json(const sdf::System& system) {
  json j = json::object();
  j["pds"] = json::array();
  for (const sdf::ProtectionDomain& pd : system.pds) j["pds"].push_back(pd_json(pd));
  j["memory_regions"] = json::array();
  for (const sdf::MemoryRegion& mr : system.memory_regions) {
    json m;
    m["name"] = mr.name;
    m["size"] = mr.size;
    put_opt(m, "declared_size", mr.declared_size);
    put_opt(m, "declared_page_size", mr.declared_page_size);
    m["page_size"] = mr.page_size;
    put_opt(m, "phys_addr", mr.phys_addr);
    put_opt(m, "prefill_path", mr.prefill_path);
    m["prefill_resolved"] = mr.prefill_resolved;
    m["prefill_size"] = mr.prefill.size();
    if (mr.prefill_bootinfo) m["prefill_bootinfo"] = sdf::to_string(*mr.prefill_bootinfo);
    j["memory_regions"].push_back(m);
  }
  j["channels"] = json::array();
  for (const sdf::Channel& ch : system.channels) {
    json ends = json::array();
    for (const sdf::ChannelEnd& e : ch.ends) {
      json ej;
      ej["pd"] = e.pd;
      ej["pd_index"] = e.pd_index;
      ej["id"] = e.id;
      ej["pp"] = e.pp;
      ej["notify"] = e.notify;
      put_opt(ej, "setvar_id", e.setvar_id);
      ends.push_back(ej);
    }
    j["channels"].push_back({{"ends", ends}});
  }
  j["io_address_spaces"] = json::array();
  for (const sdf::IoAddressSpace& io : system.io_address_spaces) {
    json ij;
    ij["name"] = io.name;
    ij["peripheral"] = io.peripheral.to_string();
    put_opt(ij, "domain_id", io.domain_id);
    ij["iomaps"] = json::array();
    for (const sdf::IoMap& m : io.iomaps) {
      ij["iomaps"].push_back({{"mr", m.mr}, {"mr_index", m.mr_index}, {"iovaddr", m.iovaddr}, {"perms", m.perms.letters()}});
    }
    j["io_address_spaces"].push_back(ij);
  }
  if (system.domains) {
    json d;
    d["domains"] = json::array();
    for (const sdf::Domain& dom : system.domains->domains) d["domains"].push_back({{"name", dom.name}, {"id", dom.id}});
    if (system.domains->schedule) {
      const sdf::DomainSchedule& s = *system.domains->schedule;
      json sj;
      sj["start_index"] = s.start_index;
      put_opt(sj, "index_shift", s.index_shift);
      sj["entries"] = json::array();
      for (const sdf::ScheduleEntry& e : s.entries) {
        sj["entries"].push_back({{"end_marker", e.end_marker}, {"domain", e.domain}, {"domain_index", e.domain_index},
                                 {"duration", e.duration}, {"ticks", e.ticks}});
      }
      d["schedule"] = sj;
    }
    j["domains"] = d;
  }
  return j;
}

Result<sdf::System> system_from_json(const nlohmann::json& doc, std::vector<uint64_t>& prefill_sizes) {
  prefill_sizes.clear();
  Decoder d;
  JsonFields& f = d.f;
  sdf::System system;
  const json& pds = f.array(doc, "system", "pds");
  for (size_t i = 0; i < pds.size(); ++i) system.pds.push_back(d.pd(pds[i], "pds[" + std::to_string(i) + "]"));
  const json& mrs = f.array(doc, "system", "memory_regions");
  for (size_t i = 0; i < mrs.size(); ++i) {
    std::string w = "memory_regions[" + std::to_string(i) + "]";
    const json& mj = mrs[i];
    sdf::MemoryRegion mr;
    mr.name = f.str(mj, w, "name");
    mr.size = f.u64(mj, w, "size");
    mr.declared_size = f.opt_u64(mj, w, "declared_size");
    mr.declared_page_size = f.opt_u64(mj, w, "declared_page_size");
    mr.page_size = f.u64(mj, w, "page_size");
    mr.phys_addr = f.opt_u64(mj, w, "phys_addr");
    mr.prefill_path = f.opt_str(mj, w, "prefill_path");
    mr.prefill_resolved = f.str(mj, w, "prefill_resolved");
    prefill_sizes.push_back(f.u64(mj, w, "prefill_size"));
    if (f.member(mj, w, "prefill_bootinfo", false)) {
      std::string b = f.str(mj, w, "prefill_bootinfo");
      bool known = false;
      for (const auto& [name, value] : kBootInfos) {
        if (b == name) {
          mr.prefill_bootinfo = value;
          known = true;
        }
      }
      if (!known) f.fail(w, "'prefill_bootinfo' has an unknown value");
    }
    system.memory_regions.push_back(std::move(mr));
  }
  const json& channels = f.array(doc, "system", "channels");
  for (size_t i = 0; i < channels.size(); ++i) {
    std::string w = "channels[" + std::to_string(i) + "]";
    sdf::Channel ch;
    const json& ends = f.array(channels[i], w, "ends");
    for (size_t e = 0; e < ends.size(); ++e) {
      std::string ew = w + ".ends[" + std::to_string(e) + "]";
      sdf::ChannelEnd end;
      end.pd = f.str(ends[e], ew, "pd");
      end.pd_index = d.index(ends[e], ew, "pd_index");
      end.id = f.u64(ends[e], ew, "id");
      end.pp = f.boolean(ends[e], ew, "pp");
      end.notify = f.boolean(ends[e], ew, "notify");
      end.setvar_id = f.opt_str(ends[e], ew, "setvar_id");
      ch.ends.push_back(std::move(end));
    }
    system.channels.push_back(std::move(ch));
  }
  const json& ios = f.array(doc, "system", "io_address_spaces");
  for (size_t i = 0; i < ios.size(); ++i) {
    std::string w = "io_address_spaces[" + std::to_string(i) + "]";
    sdf::IoAddressSpace io;
    io.name = f.str(ios[i], w, "name");
    io.peripheral = d.pci(ios[i], w, "peripheral");
    io.domain_id = f.opt_u64(ios[i], w, "domain_id");
    const json& iomaps = f.array(ios[i], w, "iomaps");
    for (size_t m = 0; m < iomaps.size(); ++m) {
      std::string mw = w + ".iomaps[" + std::to_string(m) + "]";
      sdf::IoMap map;
      map.mr = f.str(iomaps[m], mw, "mr");
      map.mr_index = d.index(iomaps[m], mw, "mr_index");
      map.iovaddr = f.u64(iomaps[m], mw, "iovaddr");
      map.perms = d.perms(iomaps[m], mw);
      io.iomaps.push_back(std::move(map));
    }
    system.io_address_spaces.push_back(std::move(io));
  }
  if (auto dj = f.opt_object(doc, "system", "domains")) {
    sdf::Domains doms;
    const json& list = f.array(*dj, "domains", "domains");
    for (size_t i = 0; i < list.size(); ++i) {
      std::string w = "domains.domains[" + std::to_string(i) + "]";
      doms.domains.push_back({sdf::kNoNode, f.str(list[i], w, "name"), f.u64(list[i], w, "id")});
    }
    if (auto sj = f.opt_object(*dj, "domains", "schedule")) {
      sdf::DomainSchedule s;
      s.start_index = f.u64(*sj, "domains.schedule", "start_index");
      s.index_shift = f.opt_u64(*sj, "domains.schedule", "index_shift");
      const json& entries = f.array(*sj, "domains.schedule", "entries");
      for (size_t i = 0; i < entries.size(); ++i) {
        std::string w = "domains.schedule.entries[" + std::to_string(i) + "]";
        sdf::ScheduleEntry e;
        e.end_marker = f.boolean(entries[i], w, "end_marker");
        e.domain = f.str(entries[i], w, "domain");
        e.domain_index = d.index(entries[i], w, "domain_index");
        e.duration = f.u64(entries[i], w, "duration");
        e.ticks = f.boolean(entries[i], w, "ticks");
        s.entries.push_back(std::move(e));
      }
      doms.schedule = std::move(s);
    }
    system.domains = std::move(doms);
  }
  if (f.failed()) return Error{"system model: " + f.error()};
  return system;
}

}  // namespace corokit::image
