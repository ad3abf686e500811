/* The callee of the runtime's protected-call benchmark: answers every call at once with the CPU it
 * runs on (message register 0), so the caller can tell the placement of each call, and the call's
 * number + 1 (message register 1), so the caller can tell that the callee answered it. */
#define _GNU_SOURCE
#include <microkit.h>
#include <sched.h>

void init(void) {}
void notified(microkit_channel ch) { (void)ch; }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo) {
  (void)ch;
  (void)msginfo;
  seL4_Word token = microkit_mr_get(0);
  microkit_mr_set(0, (seL4_Word)sched_getcpu());
  microkit_mr_set(1, token + 1);
  return microkit_msginfo_new(0, 2);
}
