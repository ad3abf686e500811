/* A callee for the protected-call failure tests (R4): label 1 answers late (after 300 ms of work),
 * label 2 at once, label 3 crashes, label 4 asks its parent (channel 2) to stop it and works on.
 * Replies carry label + 100. */
#include <microkit.h>
#include <time.h>

static void work_ms(long ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do {
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

void init(void) {}
void notified(microkit_channel ch) { (void)ch; }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo) {
  (void)ch;
  seL4_Word label = microkit_msginfo_get_label(msginfo);
  if (label == 1) work_ms(300);
  if (label == 3) *(volatile int *)0 = 1;
  if (label == 4) {
    microkit_notify(2);
    work_ms(300);
  }
  return microkit_msginfo_new(label + 100, 0);
}
