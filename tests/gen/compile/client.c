/* A C PD written against generated bindings (tests/gen/compile/system.xml, PD 'client'); the
 * setvar is declared the usual Microkit way, here as a pointer. */
#include "client_bindings.h"

#include <microkit.h>

volatile uint32_t *buffer;

_Static_assert(CLIENT_REGION_BUFFER_VADDR == 0x2001000ull, "vaddr");
_Static_assert(CLIENT_REGION_CONFIG_PERMS == COROKIT_PERM_READ, "perms");
_Static_assert((CLIENT_PP_MASK >> CLIENT_CH_SERVER) & 1, "pp");
_Static_assert(!((CLIENT_NOTIFY_MASK >> CLIENT_CH_SINK) & 1), "notify=false");

void init(void) {
  microkit_ppcall(CLIENT_CH_SERVER, microkit_msginfo_new(1, 0));
  microkit_notify(CLIENT_CH_LOGGER);
  microkit_irq_ack(CLIENT_IRQ_TIMER);
  buffer[0] = 1;
}

void notified(microkit_channel ch) {
  if (ch == CLIENT_CH_SINK) microkit_pd_restart(CLIENT_CHILD_WORKER, 0x200000);
}
