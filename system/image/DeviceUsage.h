// Which host-board devices a system uses (HOST_BOARD.md): a device is used when a PD declares its
// IRQ (that PD is its driver) or an MR's phys_addr is its register window.
#pragma once

#include <vector>

#include "system/image/SystemImage.h"

namespace corokit::image {

std::vector<DeviceUse> devices_used(const sdf::System& system);

}  // namespace corokit::image
