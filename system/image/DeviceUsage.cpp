#include "system/image/DeviceUsage.h"

namespace corokit::image {

std::vector<DeviceUse> devices_used(const sdf::System& system) {
  std::vector<DeviceUse> out;
  for (const board::Device& dev : board::devices()) {
    DeviceUse use;
    use.kind = dev.kind;
    use.index = dev.index;
    bool used = false;
    for (uint32_t p = 0; p < system.pds.size() && use.driver_pd == sdf::kNone; ++p) {
      for (const sdf::Irq& irq : system.pds[p].irqs) {
        if (irq.kind == sdf::IrqKind::Arm && irq.irq == dev.irq) {
          use.driver_pd = p;
          use.irq_id = irq.id;
          used = true;
          break;
        }
      }
    }
    for (uint32_t m = 0; m < system.memory_regions.size(); ++m) {
      const sdf::MemoryRegion& mr = system.memory_regions[m];
      if (mr.phys_addr && *mr.phys_addr >= dev.window &&
          *mr.phys_addr - dev.window < board::kDeviceWindowSize) {
        use.window_mrs.push_back(m);
        used = true;
      }
    }
    if (used) out.push_back(std::move(use));
  }
  return out;
}

}  // namespace corokit::image
