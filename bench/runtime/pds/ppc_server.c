/* The callee of the runtime's protected-call benchmark: answers every call at once with the CPU it
 * runs on (message register 0), so the caller can tell the placement of each call. */
#define _GNU_SOURCE
#include <microkit.h>
#include <sched.h>

void init(void) {}
void notified(microkit_channel ch) { (void)ch; }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo) {
  (void)ch;
  (void)msginfo;
  microkit_mr_set(0, (seL4_Word)sched_getcpu());
  return microkit_msginfo_new(0, 1);
}
