// Scribbles over every byte of the shared notification objects it can reach and rings every
// doorbell: none of it may turn into a notification of its peer.
#include <atomic>

#include "sdk/host/Ipc.h"
#include "sdk/host/Startup.h"
#include "sdk/include/microkit.h"

using namespace corokit::host;

extern "C" void init(void) {
  const BootDescriptor* d = g_boot.descriptor;
  const BootPair* pairs = boot_array<BootPair>(d, d->pairs_at);
  const BootObject* objects = boot_array<BootObject>(d, d->objects_at);
  for (uint32_t i = 0; i < d->pair_count; ++i) {
    auto* bytes = static_cast<uint8_t*>(g_boot.objects[pairs[i].object]);
    for (uint64_t b = 0; b < objects[pairs[i].object].size; ++b) bytes[b] = 0xff;
    auto* h = reinterpret_cast<PairHeader*>(bytes);
    for (Direction& dir : h->dir) {
      dir.pending.store(~uint64_t{0});
      dir.woken.store(0);
      futex_wake(&dir.woken, 16);
    }
  }
  microkit_dbg_puts("forger: scribbled\n");
}

extern "C" void notified(microkit_channel) {}
