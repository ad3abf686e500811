/* Calls the passive server once, from init(). */
#include <microkit.h>

#define SERVER_CHANNEL 0

void init(void) {
  microkit_dbg_puts("CLIENT|INFO: init function running\n");
  microkit_mr_set(0, 42);
  microkit_ppcall(SERVER_CHANNEL, microkit_msginfo_new(1, 1));
}

void notified(microkit_channel ch) {
  (void)ch;
  microkit_dbg_puts("CLIENT|ERROR: unexpected notification\n");
}
