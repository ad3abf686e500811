#include "system/sdf/Model.h"

#include <cstdio>

namespace corokit::sdf {

std::string Perms::letters() const {
  std::string s;
  if (read) s += 'r';
  if (write) s += 'w';
  if (execute) s += 'x';
  return s;
}

std::string PciAddress::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02x:%02x.%x", bus, device, function);
  return buf;
}

const char* to_string(CapKind k) {
  switch (k) {
    case CapKind::Tcb: return "Tcb";
    case CapKind::Sc: return "Sc";
    case CapKind::VSpace: return "VSpace";
  }
  return "Tcb";
}

const char* to_string(BootInfo b) {
  switch (b) {
    case BootInfo::X86Vbe: return "x86_vbe";
    case BootInfo::X86MbMmap: return "x86_mbmmap";
    case BootInfo::X86AcpiRsdp: return "x86_acpi_rsdp";
    case BootInfo::X86Framebuffer: return "x86_framebuffer";
    case BootInfo::X86TscFreq: return "x86_tsc_freq";
    case BootInfo::Fdt: return "fdt";
  }
  return "fdt";
}

uint32_t System::find_pd(std::string_view name) const {
  for (uint32_t i = 0; i < pds.size(); ++i) {
    if (pds[i].name == name) return i;
  }
  return kNone;
}

uint32_t System::find_mr(std::string_view name) const {
  for (uint32_t i = 0; i < memory_regions.size(); ++i) {
    if (memory_regions[i].name == name) return i;
  }
  return kNone;
}

}  // namespace corokit::sdf
