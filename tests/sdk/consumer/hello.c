#include <microkit.h>

void init(void) { microkit_dbg_puts("hello from an installed corokit\n"); }
void notified(microkit_channel ch) { (void)ch; }
