/* Computes for 600 ms in init() without a single microkit call (no kernel entry), then says so. */
#include <microkit.h>
#include <time.h>

void init(void) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  microkit_dbg_puts("spinner: computing\n");
  do {
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < 600);
  microkit_dbg_puts("spinner: done\n");
}

void notified(microkit_channel ch) { (void)ch; }
