/* Recurses until the stack runs into its guard page. */
#include <microkit.h>

volatile unsigned limit = ~0u; /* never reached: the guard page stops the recursion */

static unsigned depth(volatile char *prev, unsigned n) {
  volatile char frame[512];
  frame[0] = prev ? prev[0] : 1;
  if (n == limit) return 0;
  return depth(frame, n + 1) + frame[0];
}

void init(void) {
  microkit_dbg_puts("overflow: recursing\n");
  microkit_dbg_put32(depth(0, 0));
}

void notified(microkit_channel ch) { (void)ch; }
