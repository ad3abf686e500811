/* Makes 8 steps of 40 ms of computation each in init(), printing the CLOCK_MONOTONIC time of each
 * step in milliseconds: "<name>: step <i> at <ms>". No kernel entry between steps. */
#include <microkit.h>
#include <time.h>

static unsigned long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long)t.tv_sec * 1000ul + (unsigned long)t.tv_nsec / 1000000ul;
}

void init(void) {
  for (unsigned step = 0; step < 8; ++step) {
    unsigned long start = now_ms();
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": step ");
    microkit_dbg_put32(step);
    microkit_dbg_puts(" at ");
    microkit_dbg_put32((seL4_Uint32)start);
    microkit_dbg_putc('\n');
    while (now_ms() - start < 40) {
    }
  }
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(": done\n");
}

void notified(microkit_channel ch) { (void)ch; }
