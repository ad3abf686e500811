/* Restarts its crashing child nine times, then stops it. */
#include <microkit.h>

static unsigned faults;

void init(void) { microkit_dbg_puts("restarter: starting\n"); }

void notified(microkit_channel ch) { (void)ch; }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo) {
  (void)msginfo;
  (void)reply_msginfo;
  microkit_dbg_puts("restarter: received fault message for child pd: ");
  microkit_dbg_put32(child);
  microkit_dbg_putc('\n');
  faults++;
  if (faults == 10) {
    microkit_pd_stop(child);
    microkit_dbg_puts("restarter: too many restarts - PD stopped\n");
  } else {
    microkit_pd_restart(child, 0x200000);
    microkit_dbg_puts("restarter: restarted\n");
  }
  return seL4_False;
}
