/* Notifies the receiver legitimately. */
#include <microkit.h>

void init(void) {
  microkit_dbg_puts("third: notifying\n");
  microkit_notify(0);
}

void notified(microkit_channel ch) { (void)ch; }
