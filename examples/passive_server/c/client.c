/* Calls the passive server once, from init(). The channel id comes from the C header generated
 * from passive_server.system (corokit gen --lang c). */
#include <microkit.h>

#include "client_ids.h"

void init(void) {
  microkit_dbg_puts("CLIENT|INFO: init function running\n");
  microkit_mr_set(0, 42);
  microkit_ppcall(CLIENT_CH_SERVER, microkit_msginfo_new(1, 1));
}

void notified(microkit_channel ch) {
  (void)ch;
  microkit_dbg_puts("CLIENT|ERROR: unexpected notification\n");
}
