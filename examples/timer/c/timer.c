/* Microkit's timer example on the host board: one PD drives the timer device directly (no timer
 * driver, no protocol). The device's register window is the host board's information page: the
 * timerfd's descriptor and the system epoch are read from it at fixed offsets, as a driver reads
 * registers (sdk/host/DeviceInfo.h). A periodic one-second timeout; each interrupt prints the time
 * in nanoseconds since the system started. */
#include <microkit.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Register offsets in the timer's information page. */
#define DEVICE_INFO_MAGIC 0x00u
#define DEVICE_INFO_FD 0x14u
#define DEVICE_INFO_EPOCH 0x68u
#define DEVICE_INFO_MAGIC_VALUE 0x76656463u

#define TIMER_IRQ_CH 0

uintptr_t timer_regs;
static int timer_fd = -1;
static uint64_t epoch_ns;

static uint32_t reg32(uint32_t offset) { return *(volatile const uint32_t *)(timer_regs + offset); }
static uint64_t reg64(uint32_t offset) { return *(volatile const uint64_t *)(timer_regs + offset); }

static uint64_t get_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec - epoch_ns;
}

static void put_hex64(uint64_t value) {
    static const char digits[] = "0123456789abcdef";
    microkit_dbg_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) microkit_dbg_putc(digits[(value >> shift) & 0xf]);
}

void init(void) {
    if (reg32(DEVICE_INFO_MAGIC) != DEVICE_INFO_MAGIC_VALUE) {
        microkit_dbg_puts("TIMER|ERROR: no timer device information page\n");
        return;
    }
    timer_fd = (int)reg32(DEVICE_INFO_FD);
    epoch_ns = reg64(DEVICE_INFO_EPOCH);
    microkit_dbg_puts("Setting a timeout of 1 second.\n");
    struct itimerspec its = {{1, 0}, {1, 0}};
    timerfd_settime(timer_fd, 0, &its, 0);
}

void notified(microkit_channel ch) {
    switch (ch) {
    case TIMER_IRQ_CH: {
        microkit_dbg_puts("Got timer interrupt!\n");
        uint64_t expiries;
        (void)!read(timer_fd, &expiries, sizeof expiries); /* the device side of the acknowledgement */
        microkit_irq_ack(ch);
        microkit_dbg_puts("Current time is: ");
        put_hex64(get_time());
        microkit_dbg_puts("\n");
        break;
    }
    default:
        microkit_dbg_puts("TIMER|ERROR: unexpected channel!\n");
    }
}
