/* Uses channel ids it does not hold. */
#include <microkit.h>

void init(void) {
  microkit_notify(5);
  microkit_irq_ack(6);
  microkit_msginfo r = microkit_ppcall(7, microkit_msginfo_new(3, 0));
  microkit_deferred_notify(62);
  microkit_mr_set(120, 1);
  microkit_dbg_puts("misuser: ppcall returned label ");
  microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(r));
  microkit_dbg_puts("\nmisuser: done\n");
}

void notified(microkit_channel ch) { (void)ch; }
