// Synchronous faults of a PD (LIBMICROKIT.md §6.1 "fault"): caught on an alternate stack, recorded in
// the control block for the monitor, and held until the monitor's verdict (resume, or the process is
// replaced or stopped).
#pragma once

#include "sdk/host/Abi.h"

namespace corokit::host {

void install_fault_handlers(ControlBlock& control);

}  // namespace corokit::host
