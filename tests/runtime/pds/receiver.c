/* Prints every notification it gets. */
#include <microkit.h>

void init(void) { microkit_dbg_puts("receiver: ready\n"); }

void notified(microkit_channel ch) {
  microkit_dbg_puts("receiver: notified ");
  microkit_dbg_put32(ch);
  microkit_dbg_putc('\n');
}
