// main() of every PD process. The PD's kernel is set up by an early constructor, before the PD's own
// static constructors (they may already print); main() installs fault handling, switches to the
// SDF stack and runs libmicrokit's event loop there.
#include <stdio.h>

#include <new>

#include "sdk/EventLoop.h"
#include "sdk/host/FaultHandler.h"
#include "sdk/host/HostKernel.h"
#include "sdk/host/Startup.h"
#include "sdk/include/microkit.h"

extern "C" bool microkit_passive;
extern "C" [[noreturn]] void corokit_host_run_on_stack(uint64_t top, void (*fn)());

namespace {

alignas(corokit::host::HostKernel) unsigned char g_kernel_storage[sizeof(corokit::host::HostKernel)];
corokit::host::HostKernel* g_kernel = nullptr;

__attribute__((constructor(101))) void setup_kernel() {
  using namespace corokit::host;
  if (g_boot.descriptor == nullptr) {
    static const char msg[] = "corokit: this PD must be started by `corokit run`\n";
    sys::write(2, msg, sizeof msg - 1);
    sys::exit_group(110);
  }
  g_kernel = new (g_kernel_storage) HostKernel(g_boot);
  corokit::sdk::set_kernel(g_kernel);
  g_kernel->control().state.store(static_cast<uint32_t>(PdState::Init), std::memory_order_relaxed);
}

[[noreturn]] void run_pd() { corokit::sdk::run_event_loop(*g_kernel, microkit_passive, microkit_irqs); }

}  // namespace

int main() {
  using namespace corokit::host;
  setvbuf(stdout, nullptr, _IOLBF, 0);
  install_fault_handlers(g_kernel->control());
  const BootDescriptor* d = g_boot.descriptor;
  corokit_host_run_on_stack(d->stack_bottom + d->stack_size, run_pd);
}
