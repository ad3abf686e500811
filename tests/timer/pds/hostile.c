/* A timer client that misbehaves: an unknown label, a too-small count, a deadline past the
 * protocol's range, and a flood of requests. It prints what the driver answered, then checks that
 * it is still served: a timeout set afterwards expires, never early. */
#include <microkit.h>
#include <stdint.h>

#define TIMER 0
#define GET_TIME 0
#define SET_TIMEOUT 1
#define SET_DEADLINE 2
#define TIMER_ERR 1

static uint64_t deadline;

static uint64_t label_of(microkit_msginfo m) { return microkit_msginfo_get_label(m); }

static uint64_t time_now(void) {
    microkit_ppcall(TIMER, microkit_msginfo_new(GET_TIME, 0));
    return seL4_GetMR(0);
}

static void put(const char *what, uint64_t value) {
    microkit_dbg_puts(what);
    microkit_dbg_put32((seL4_Uint32)value);
}

void init(void) {
    put("hostile: unknown label -> ", label_of(microkit_ppcall(TIMER, microkit_msginfo_new(77, 0))));
    put(", short count -> ", label_of(microkit_ppcall(TIMER, microkit_msginfo_new(SET_DEADLINE, 0))));
    seL4_SetMR(0, (uint64_t)1 << 63);
    put(", overflow -> ", label_of(microkit_ppcall(TIMER, microkit_msginfo_new(SET_DEADLINE, 1))));
    unsigned refused = 0;
    uint64_t far = time_now() + 60000000000ull;
    for (unsigned i = 0; i < 20000; ++i) {
        seL4_SetMR(0, far + i);
        if (label_of(microkit_ppcall(TIMER, microkit_msginfo_new(SET_DEADLINE, 1))) == TIMER_ERR) refused++;
    }
    put(", flood refused ", refused);
    microkit_dbg_puts("\n");
    /* Let the budget refill, then behave. */
    uint64_t until = time_now() + 20000000;
    while (time_now() < until) {
    }
    deadline = time_now() + 5000000;
    seL4_SetMR(0, 5000000);
    put("hostile: timeout accepted -> ", label_of(microkit_ppcall(TIMER, microkit_msginfo_new(SET_TIMEOUT, 1))));
    microkit_dbg_puts("\n");
}

void notified(microkit_channel ch) {
    if (ch != TIMER) return;
    microkit_dbg_puts(time_now() >= deadline ? "hostile: served on time\n" : "hostile: EARLY\n");
}
