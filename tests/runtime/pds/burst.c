/* Notifies the same channels several times, immediately and deferred, in one init(). */
#include <microkit.h>

void init(void) {
  microkit_notify(7);
  microkit_notify(3);
  microkit_notify(7);
  microkit_notify(5);
  microkit_deferred_notify(9);
  microkit_deferred_notify(1);
  microkit_deferred_notify(9);
  microkit_dbg_puts("burst: sent\n");
}

void notified(microkit_channel ch) { (void)ch; }
