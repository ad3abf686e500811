/* An sDDF-style timer client in C: only labels 0 and 1 (GET_TIME, SET_TIMEOUT), as sDDF's
 * sddf_timer_time_now / sddf_timer_set_timeout do. It sets a timeout, and on the notification
 * checks that the time has reached the deadline, three times, then prints "<name>: ok". */
#include <microkit.h>
#include <stdint.h>

#define TIMER 0
#define GET_TIME 0
#define SET_TIMEOUT 1

static uint64_t deadline;
static unsigned rounds;
static int early;

static uint64_t time_now(void) {
    microkit_ppcall(TIMER, microkit_msginfo_new(GET_TIME, 0));
    return seL4_GetMR(0);
}

static void set_timeout(uint64_t ns) {
    deadline = time_now() + ns;
    seL4_SetMR(0, ns);
    microkit_ppcall(TIMER, microkit_msginfo_new(SET_TIMEOUT, 1));
}

void init(void) { set_timeout(2000000 + 10000 * (uint64_t)(microkit_name[6] % 32)); }

void notified(microkit_channel ch) {
    if (ch != TIMER) return;
    if (time_now() < deadline) early = 1;
    if (++rounds < 3) {
        set_timeout(1000000);
        return;
    }
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(early ? ": EARLY\n" : ": ok\n");
}
