/* The parent of a callee: stops its child (id 1) when the child notifies it. */
#include <microkit.h>

void init(void) {}

void notified(microkit_channel ch) {
  (void)ch;
  microkit_pd_stop(1);
  microkit_dbg_puts("stopper: stopped the server\n");
}
