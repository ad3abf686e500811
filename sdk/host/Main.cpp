// main() of every PD process: libc and the PD's static constructors have run; set up fault
// handling, switch to the SDF stack and run libmicrokit's event loop there.
#include <stdio.h>

#include "sdk/EventLoop.h"
#include "sdk/host/FaultHandler.h"
#include "sdk/host/HostKernel.h"
#include "sdk/host/Startup.h"
#include "sdk/include/microkit.h"

extern "C" bool microkit_passive;
extern "C" [[noreturn]] void corokit_host_run_on_stack(uint64_t top, void (*fn)());

namespace {

corokit::host::HostKernel* g_kernel = nullptr;

[[noreturn]] void run_pd() {
  corokit::sdk::run_event_loop(*g_kernel, microkit_passive, microkit_irqs);
}

}  // namespace

int main() {
  using namespace corokit::host;
  static HostKernel kernel(g_boot);
  g_kernel = &kernel;
  corokit::sdk::set_kernel(&kernel);
  setvbuf(stdout, nullptr, _IOLBF, 0);
  install_fault_handlers(kernel.control());
  kernel.control().state.store(static_cast<uint32_t>(PdState::Init), std::memory_order_relaxed);
  const BootDescriptor* d = g_boot.descriptor;
  corokit_host_run_on_stack(d->stack_bottom + d->stack_size, run_pd);
}
