/* Resumes a child whose fault is harmless, and restarts it when it dies. */
#include <microkit.h>

static unsigned faults;

void init(void) { microkit_dbg_puts("parent: starting\n"); }
void notified(microkit_channel ch) { (void)ch; }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply) {
  (void)reply;
  faults++;
  microkit_dbg_puts("parent: fault label ");
  microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(msginfo));
  microkit_dbg_putc('\n');
  if (faults == 1) return seL4_True; /* resume: the child's trap instruction is skipped over */
  microkit_pd_stop(child);
  return seL4_False;
}
