/* Microkit's "hello" example, unchanged: one PD printing from init(). */
#include <microkit.h>

void init(void) { microkit_dbg_puts("hello, world\n"); }

void notified(microkit_channel ch) { (void)ch; }
