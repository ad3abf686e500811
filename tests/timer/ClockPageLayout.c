/* The timer protocol header compiled as C: its assertions hold for a C compiler too, and the values
 * and helper results below are what ClockPageTest.cpp compares against the C++ view. */
#include <stddef.h>

#include "sdk/protocol/Timer.h"

size_t corokit_c_clock_page_layout[] = {
    sizeof(struct ck_clock_page),
    _Alignof(struct ck_clock_page),
    offsetof(struct ck_clock_page, magic),
    offsetof(struct ck_clock_page, version),
    offsetof(struct ck_clock_page, seq),
    offsetof(struct ck_clock_page, source),
    offsetof(struct ck_clock_page, epoch),
    offsetof(struct ck_clock_page, freq_hz),
    offsetof(struct ck_clock_page, resolution_ns),
    CK_TIMER_GET_TIME, CK_TIMER_SET_TIMEOUT, CK_TIMER_SET_DEADLINE, CK_TIMER_CANCEL, CK_TIMER_GET_INFO,
    CK_TIMER_OK, CK_TIMER_ERR,
};

/* Publishes a page from C and reads it back; returns the time for `reading`, or 0 on failure. */
uint64_t corokit_c_clock_page_roundtrip(uint32_t source, uint64_t epoch, uint64_t freq_hz, uint64_t reading) {
    struct ck_clock_page page = {0, 0, 0, 0, 0, 0, 0};
    struct ck_clock_page copy;
    ck_clock_page_publish(&page, source, epoch, freq_hz, 1);
    if (!ck_clock_page_snapshot(&page, &copy)) return 0;
    return ck_clock_page_time(&copy, reading);
}
