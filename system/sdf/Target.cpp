#include "system/sdf/Target.h"

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "system/sdf/Number.h"

namespace corokit::sdf {
namespace {

TargetProfile arch_defaults(Arch arch) {
  TargetProfile p;
  p.arch = arch;
  switch (arch) {
    case Arch::Host:
      // Hypervisor, IOMMU and SMC are "on" so hardware-only features are validated, then H01.
      p.name = "host";
      p.hypervisor = p.iommu = p.smc = true;
      p.user_top = 0x6fff'ffff'ffff;
      p.lowest_map = 0x10000;
      p.cores = std::max(1u, std::thread::hardware_concurrency());
      break;
    case Arch::Aarch64:
      p.name = "aarch64";
      p.hypervisor = true;  // 40-bit physical addresses, as on qemu_virt_aarch64
      p.user_top = 0xff'ffff'ffff;
      break;
    case Arch::Riscv64:
      p.name = "riscv64";
      p.user_top = 0x3f'ffff'efff;
      break;
    case Arch::X86_64:
      p.name = "x86_64";
      p.hypervisor = p.iommu = true;
      p.user_top = 0x7fff'ffff'efff;
      break;
  }
  return p;
}

struct Board {
  const char* name;
  Arch arch;
  uint32_t cores;
  bool hypervisor;
  bool smc;
  bool iommu;
  uint64_t user_top;
};

// Microkit boards in their default (non-SMP) configuration.
constexpr Board kBoards[] = {
    {"qemu_virt_aarch64", Arch::Aarch64, 1, true, false, false, 0xff'ffff'ffff},
    {"odroidc2", Arch::Aarch64, 1, true, false, false, 0xff'ffff'ffff},
    {"odroidc4", Arch::Aarch64, 1, true, false, false, 0xff'ffff'ffff},
    {"maaxboard", Arch::Aarch64, 1, true, false, false, 0xff'ffff'ffff},
    {"imx8mm_evk", Arch::Aarch64, 1, true, false, false, 0xff'ffff'ffff},
    {"zcu102", Arch::Aarch64, 1, true, true, false, 0xff'ffff'ffff},
    {"rpi4b_1gb", Arch::Aarch64, 1, true, false, false, 0xff'ffff'ffff},
    {"qemu_virt_riscv64", Arch::Riscv64, 1, false, false, false, 0x3f'ffff'efff},
    {"star64", Arch::Riscv64, 1, false, false, false, 0x3f'ffff'efff},
    {"x86_64_generic", Arch::X86_64, 1, false, false, true, 0x7fff'ffff'efff},
    {"x86_64_generic_vtx", Arch::X86_64, 1, true, false, true, 0x7fff'ffff'efff},
};

bool parse_arch(const std::string& s, Arch& out) {
  if (s == "host") out = Arch::Host;
  else if (s == "aarch64") out = Arch::Aarch64;
  else if (s == "riscv64") out = Arch::Riscv64;
  else if (s == "x86_64") out = Arch::X86_64;
  else return false;
  return true;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

const char* to_string(Arch a) {
  switch (a) {
    case Arch::Host: return "host";
    case Arch::Aarch64: return "aarch64";
    case Arch::Riscv64: return "riscv64";
    case Arch::X86_64: return "x86_64";
  }
  return "host";
}

Result<TargetProfile> builtin_profile(const std::string& name, uint32_t cores) {
  TargetProfile p;
  Arch arch;
  if (parse_arch(name, arch)) {
    p = arch_defaults(arch);
  } else {
    bool found = false;
    for (const Board& b : kBoards) {
      if (name != b.name) continue;
      p = arch_defaults(b.arch);
      p.name = b.name;
      p.cores = b.cores;
      p.hypervisor = b.hypervisor;
      p.smc = b.smc;
      p.iommu = b.iommu;
      p.user_top = b.user_top;
      found = true;
    }
    if (!found) {
      return Error{"unknown target '" + name + "' (choose from: " + builtin_profile_names() + ")"};
    }
  }
  if (cores != 0) p.cores = cores;
  return p;
}

std::string builtin_profile_names() {
  std::string s = "host, aarch64, riscv64, x86_64";
  for (const Board& b : kBoards) s += std::string(", ") + b.name;
  return s;
}

Result<TargetProfile> load_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read target profile '" + path + "'"};
  std::map<std::string, std::string> kv;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Error{path + ":" + std::to_string(line_no) + ": expected 'key = value'"};
    }
    kv[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  Arch arch = Arch::Host;
  if (kv.count("arch") && !parse_arch(kv["arch"], arch)) {
    return Error{path + ": unknown arch '" + kv["arch"] + "'"};
  }
  TargetProfile p = arch_defaults(arch);
  p.name = path;
  kv.erase("arch");
  for (const auto& [key, value] : kv) {
    if (key == "hypervisor" || key == "iommu" || key == "smc") {
      if (value != "true" && value != "false") {
        return Error{path + ": " + key + " must be 'true' or 'false'"};
      }
      bool b = value == "true";
      (key == "hypervisor" ? p.hypervisor : key == "iommu" ? p.iommu : p.smc) = b;
      continue;
    }
    NumberParse n = parse_number(value);
    if (!n.ok()) return Error{path + ": " + key + ": " + std::string(n.why())};
    if (key == "cores") {
      if (n.value == 0 || n.value > 4096) return Error{path + ": cores must be within [1..4096]"};
      p.cores = static_cast<uint32_t>(n.value);
    } else if (key == "num_domains") {
      p.num_domains = n.value;
    } else if (key == "num_domain_schedules") {
      p.num_domain_schedules = n.value;
    } else if (key == "user_top") {
      p.user_top = n.value;
    } else if (key == "lowest_map") {
      p.lowest_map = n.value;
    } else {
      return Error{path + ": unknown key '" + key + "'"};
    }
  }
  return p;
}

}  // namespace corokit::sdf
