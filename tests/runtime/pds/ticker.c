/* The host board's timer device: a periodic timeout; acknowledges the first three interrupts only. */
#include <microkit.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>


uintptr_t timer_regs;
static unsigned ticks;
static int timer_fd = -1;

void init(void) {
  const volatile uint32_t *info = (const volatile uint32_t *)timer_regs;
  /* DeviceInfo: magic, version, kind, index, irq, fd */
  if (info[0] != 0x76656463u) {
    microkit_dbg_puts("ticker: no device info\n");
    return;
  }
  timer_fd = (int)info[5];
  struct itimerspec its = {{0, 20 * 1000 * 1000}, {0, 20 * 1000 * 1000}};
  timerfd_settime(timer_fd, 0, &its, 0);
  microkit_dbg_puts("ticker: armed\n");
}

void notified(microkit_channel ch) {
  uint64_t expiries;
  (void)!read(timer_fd, &expiries, sizeof expiries);
  ticks++;
  microkit_dbg_puts("ticker: tick on channel ");
  microkit_dbg_put32(ch);
  microkit_dbg_putc('\n');
  if (ticks < 3) microkit_irq_ack(ch);
}
