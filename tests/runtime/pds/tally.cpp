// The counting PD of the counter tests (CountersTest.cpp), with a known scenario: in init(), three
// notifies and two deferred notifies of the same channel to the echoer (which runs at a lower
// priority, so in single-runner mode they coalesce into one notified() there), two protected
// calls, two payload copies counted as an SDK component counts them, and a one-shot timer; then a
// notify back to the echoer for each of its first four echoes, and an ack of the timer's IRQ.
#include <microkit.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "sdk/PdCounters.h"

uintptr_t timer_regs;

namespace {

constexpr microkit_channel kEchoer = 1, kCallee = 2, kTimer = 3;
constexpr unsigned kEchoes = 5;
int timer_fd = -1;
unsigned echoes;

}  // namespace

void init(void) {
  microkit_notify(kEchoer);
  microkit_notify(kEchoer);
  microkit_notify(kEchoer);
  microkit_deferred_notify(kEchoer);
  microkit_deferred_notify(kEchoer);  // the same deferred action: sent once
  for (int i = 0; i < 2; ++i) microkit_ppcall(kCallee, microkit_msginfo_new(2, 0));
  corokit::counters::copied(1500);
  corokit::counters::copied(500);
  const volatile uint32_t* info = reinterpret_cast<const volatile uint32_t*>(timer_regs);
  if (info[0] != 0x76656463u) {  // DeviceInfo: magic, version, kind, index, irq, fd
    microkit_dbg_puts("tally: no device info\n");
    return;
  }
  timer_fd = static_cast<int>(info[5]);
  itimerspec once{{0, 0}, {0, 10 * 1000 * 1000}};
  timerfd_settime(timer_fd, 0, &once, nullptr);
  microkit_dbg_puts("tally: started\n");
}

void notified(microkit_channel ch) {
  if (ch == kTimer) {
    uint64_t expiries;
    (void)!read(timer_fd, &expiries, sizeof expiries);
    microkit_irq_ack(kTimer);
    microkit_dbg_puts("tally: tick\n");
  } else if (ch == kEchoer && ++echoes < kEchoes) {
    microkit_notify(kEchoer);
  } else if (ch == kEchoer && echoes == kEchoes) {
    microkit_dbg_puts("tally: echoes done\n");
  }
}
