/* The caller of the runtime's protected-call benchmark: after a warm-up, rounds of calls through
 * microkit_ppcall, each reported as "ppcall round: <calls> <ns> <calls on another CPU> <calls without
 * the callee's answer>", then "done". Every call carries its number and must come back with that
 * number + 1 (ppc_server), so a call that returned without the callee's reply is counted.
 * Timed with CLOCK_MONOTONIC (the vDSO: no system call on the measured path). */
#define _GNU_SOURCE
#include <microkit.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#define SERVER 0
#define ROUNDS 7
#define CALLS 20000

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void put_number(uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) microkit_dbg_putc(digits[--n]);
}

void init(void) {
  for (int i = 0; i < 2000; ++i) microkit_ppcall(SERVER, microkit_msginfo_new(1, 0));
  for (int r = 0; r < ROUNDS; ++r) {
    uint64_t cross = 0, unanswered = 0;
    uint64_t start = now_ns();
    for (int i = 0; i < CALLS; ++i) {
      seL4_Word token = (seL4_Word)(r * CALLS + i);
      microkit_mr_set(0, token);
      microkit_msginfo reply = microkit_ppcall(SERVER, microkit_msginfo_new(1, 1));
      cross += microkit_mr_get(0) != (seL4_Word)sched_getcpu();
      unanswered += microkit_msginfo_get_count(reply) != 2 || microkit_mr_get(1) != token + 1;
    }
    uint64_t ns = now_ns() - start;
    microkit_dbg_puts("ppcall round: ");
    put_number(CALLS);
    microkit_dbg_putc(' ');
    put_number(ns);
    microkit_dbg_putc(' ');
    put_number(cross);
    microkit_dbg_putc(' ');
    put_number(unanswered);
    microkit_dbg_putc('\n');
  }
  microkit_dbg_puts("done\n");
}

void notified(microkit_channel ch) { (void)ch; }
