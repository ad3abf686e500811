/* The server of the FIFO test (FifoTest.cpp): its init() lasts until all three callers have called
 * (the last one's flag, then 50 ms), so their calls queue; it then answers them one by one, saying
 * whom it serves (the callers' channels: third 0, second 1, first 2, so an order by channel would be
 * the reverse of their arrival) and replying with the answer's number. */
#include <microkit.h>
#include <time.h>

volatile seL4_Word *arrivals;
uintptr_t arrivals_page;
static seL4_Word answered;

static void sleep_ms(long ms) {
  struct timespec t = {0, ms * 1000000L};
  nanosleep(&t, NULL);
}

void init(void) {
  arrivals = (volatile seL4_Word *)arrivals_page;
  while (__atomic_load_n(&arrivals[2], __ATOMIC_ACQUIRE) == 0) sleep_ms(1);
  sleep_ms(50);
}

void notified(microkit_channel ch) { (void)ch; }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo) {
  static const char *const callers[] = {"third", "second", "first"};
  (void)msginfo;
  microkit_dbg_puts("fifo_server: serves ");
  microkit_dbg_puts(ch < 3 ? callers[ch] : "?");
  microkit_dbg_putc('\n');
  return microkit_msginfo_new(++answered, 0);
}
