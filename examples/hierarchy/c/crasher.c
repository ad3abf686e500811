/* Writes to address 0 from init(). */
#include <microkit.h>

void init(void) {
  microkit_dbg_puts("crasher, starting\n");
  *(volatile int *)0 = 0;
}

void notified(microkit_channel ch) { (void)ch; }
