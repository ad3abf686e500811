#include "tests/runtime/TestImage.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>

#include "system/sdf/SystemLoader.h"
#include "system/sdf/Target.h"

namespace corokit::testing {
namespace {

struct ElfInfo {
  uint64_t entry = 0;
  std::vector<image::LoadSegment> segments;
  std::map<std::string, std::pair<uint64_t, uint64_t>> symbols;  // name → (value, size)
};

Result<ElfInfo> read_elf(const std::vector<uint8_t>& bytes) {
  elf_version(EV_CURRENT);
  Elf* e = elf_memory(const_cast<char*>(reinterpret_cast<const char*>(bytes.data())), bytes.size());
  if (e == nullptr) return Error{"not an ELF"};
  ElfInfo info;
  GElf_Ehdr eh;
  gelf_getehdr(e, &eh);
  info.entry = eh.e_entry;
  size_t n = 0;
  elf_getphdrnum(e, &n);
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    gelf_getphdr(e, static_cast<int>(i), &ph);
    if (ph.p_type != PT_LOAD) continue;
    image::LoadSegment s;
    s.vaddr = ph.p_vaddr;
    s.mem_size = ph.p_memsz;
    s.file_size = ph.p_filesz;
    s.read = ph.p_flags & PF_R;
    s.write = ph.p_flags & PF_W;
    s.execute = ph.p_flags & PF_X;
    info.segments.push_back(s);
  }
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(e, scn)) != nullptr) {
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    if (sh.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    size_t count = sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      gelf_getsym(data, static_cast<int>(i), &sym);
      const char* name = elf_strptr(e, sh.sh_link, sym.st_name);
      if (name != nullptr && *name != '\0' && GELF_ST_TYPE(sym.st_info) == STT_OBJECT) {
        info.symbols[name] = {sym.st_value, sym.st_size};
      }
    }
  }
  elf_end(e);
  return info;
}

std::vector<uint8_t> word(uint64_t v, size_t size = 8) {
  std::vector<uint8_t> b(size);
  for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  return b;
}

}  // namespace

Result<image::SystemImage> make_test_image(const std::string& sdf_path, const std::vector<std::string>& search_paths) {
  sdf::CheckOptions options;
  Result<sdf::TargetProfile> target = sdf::builtin_profile("host");
  if (!target) return Error{target.error()};
  options.target = *target;
  options.search_paths = search_paths;
  options.host_severity = sdf::HostSeverity::Error;
  sdf::LoadedSystem loaded = sdf::load_system_file(sdf_path, options);
  if (!loaded.ok()) {
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.message + "\n";
    return Error{"invalid system " + sdf_path + ":\n" + all};
  }
  image::SystemImage img;
  img.system = std::move(loaded.system);
  sdf::System& sys = img.system;

  // Pseudo-physical addresses for MRs without one (first fit in the RAM window, in MR order).
  std::vector<uint64_t> paddr(sys.memory_regions.size(), 0);
  uint64_t next = 0x4000'0000;
  for (size_t i = 0; i < sys.memory_regions.size(); ++i) {
    const sdf::MemoryRegion& mr = sys.memory_regions[i];
    if (mr.phys_addr) {
      paddr[i] = *mr.phys_addr;
      continue;
    }
    next = (next + mr.page_size - 1) / mr.page_size * mr.page_size;
    paddr[i] = next;
    next += mr.size;
  }

  for (size_t i = 0; i < sys.pds.size(); ++i) {
    const sdf::ProtectionDomain& pd = sys.pds[i];
    std::string path;
    for (const std::string& dir : search_paths) {
      std::string p = dir + "/" + pd.program_image->path;
      if (access(p.c_str(), R_OK) == 0) {
        path = p;
        break;
      }
    }
    if (path.empty()) return Error{"cannot find " + pd.program_image->path};
    std::ifstream f(path, std::ios::binary);
    image::PdImage pi;
    pi.elf.assign(std::istreambuf_iterator<char>(f), {});
    pi.source_path = path;
    Result<ElfInfo> elf = read_elf(pi.elf);
    if (!elf) return Error{path + ": " + elf.error()};
    pi.entry = elf->entry;
    pi.segments = elf->segments;
    auto patch = [&](const std::string& sym, std::vector<uint8_t> bytes, const std::string& source) -> Status {
      auto it = elf->symbols.find(sym);
      if (it == elf->symbols.end()) return Error{"PD '" + pd.name + "': no symbol '" + sym + "'"};
      bytes.resize(it->second.second, 0);
      pi.patches.push_back(image::Patch{sym, it->second.first, bytes, source});
      return Ok{};
    };
    std::vector<uint8_t> name(64, 0);
    std::copy(pd.name.begin(), pd.name.end(), name.begin());
    uint64_t irqs = 0, notifications = 0, pps = 0;
    for (const sdf::Irq& irq : pd.irqs) irqs |= uint64_t{1} << irq.id;
    for (const sdf::Channel& ch : sys.channels) {
      for (const sdf::ChannelEnd& e : ch.ends) {
        if (e.pd_index != i) continue;
        if (e.notify) notifications |= uint64_t{1} << e.id;
        if (e.pp) pps |= uint64_t{1} << e.id;
        if (e.setvar_id) {
          if (Status s = patch(*e.setvar_id, word(e.id), "end@setvar_id"); !s) return Error{s.error()};
        }
      }
    }
    for (auto& [sym, bytes, src] : std::vector<std::tuple<std::string, std::vector<uint8_t>, std::string>>{
             {"microkit_name", name, "microkit_name"},
             {"microkit_passive", word(pd.passive ? 1 : 0, 1), "microkit_passive"},
             {"microkit_irqs", word(irqs), "microkit_irqs"},
             {"microkit_notifications", word(notifications), "microkit_notifications"},
             {"microkit_pps", word(pps), "microkit_pps"},
             {"microkit_ioports", word(0), "microkit_ioports"}}) {
      if (Status s = patch(sym, bytes, src); !s) return Error{s.error()};
    }
    for (const sdf::Map& m : pd.maps) {
      const sdf::MemoryRegion& mr = sys.memory_regions[m.mr_index];
      if (m.setvar_vaddr) (void)patch(*m.setvar_vaddr, word(m.vaddr), "map@setvar_vaddr");
      if (m.setvar_size) (void)patch(*m.setvar_size, word(mr.size), "map@setvar_size");
      if (m.setvar_prefill_size) (void)patch(*m.setvar_prefill_size, word(mr.prefill.size()), "map@setvar_prefill_size");
    }
    for (const sdf::Irq& irq : pd.irqs) {
      if (irq.setvar_id) (void)patch(*irq.setvar_id, word(irq.id), "irq@setvar_id");
    }
    for (const sdf::SetVar& sv : pd.setvars) (void)patch(sv.symbol, word(paddr[sv.mr_index]), "setvar region_paddr");
    for (uint32_t c : pd.children) {
      const sdf::ProtectionDomain& child = sys.pds[c];
      if (child.setvar_id) (void)patch(*child.setvar_id, word(*child.child_id), "protection_domain@setvar_id");
    }
    img.pds.push_back(std::move(pi));
  }
  return img;
}

}  // namespace corokit::testing
