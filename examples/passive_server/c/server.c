/* A passive server: runs only when called, on the caller's scheduling context. The channel id comes
 * from the C header generated from passive_server.system (corokit gen --lang c). */
#include <microkit.h>

#include "server_ids.h"

void init(void) { microkit_dbg_puts("SERVER|INFO: init function running\n"); }

void notified(microkit_channel ch) {
  (void)ch;
  microkit_dbg_puts("SERVER|ERROR: unexpected notification\n");
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo) {
  if (ch == SERVER_CH_CLIENT && microkit_msginfo_get_label(msginfo) == 1) {
    microkit_dbg_puts("SERVER|INFO: running on clients scheduling context\n");
  } else {
    microkit_dbg_puts("SERVER|ERROR: received an unexpected message\n");
  }
  return seL4_MessageInfo_new(0, 0, 0, 0);
}
