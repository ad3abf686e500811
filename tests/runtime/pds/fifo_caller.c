/* A caller of the FIFO test (FifoTest.cpp): the PDs "first", "second" and "third" run this program.
 * Each calls fifo_server (channel 0) once, in the order of their names: a caller waits until the
 * one before it has set its flag in the shared "arrivals" page, then 50 ms more (that caller set
 * its flag just before its call), then sets its own flag and calls. */
#include <microkit.h>
#include <string.h>
#include <time.h>

#define SERVER 0

volatile seL4_Word *arrivals; /* arrivals[k]: caller k is about to call */
uintptr_t arrivals_page;

static void sleep_ms(long ms) {
  struct timespec t = {0, ms * 1000000L};
  nanosleep(&t, NULL);
}

static int position(void) {
  if (strcmp(microkit_name, "first") == 0) return 0;
  if (strcmp(microkit_name, "second") == 0) return 1;
  return 2;
}

void init(void) {
  arrivals = (volatile seL4_Word *)arrivals_page;
  int k = position();
  if (k > 0) {
    while (__atomic_load_n(&arrivals[k - 1], __ATOMIC_ACQUIRE) == 0) sleep_ms(1);
    sleep_ms(50);
  }
  __atomic_store_n(&arrivals[k], 1, __ATOMIC_RELEASE);
  microkit_msginfo reply = microkit_ppcall(SERVER, microkit_msginfo_new(k, 0));
  microkit_dbg_puts(microkit_name);
  microkit_dbg_puts(": answered as number ");
  microkit_dbg_putc((char)('0' + microkit_msginfo_get_label(reply)));
  microkit_dbg_putc('\n');
}

void notified(microkit_channel ch) { (void)ch; }
