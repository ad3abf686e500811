/* The C variant of Checked.cpp: the setvar is declared the Microkit way. */
#include "checked_c_bindings.h"

#include <microkit.h>

uintptr_t buf;

void init(void) {
  *(volatile uint32_t *)buf = 7;
  microkit_notify(CHECKED_C_CH_PEER);
  microkit_dbg_puts("checked_c: init ran\n");
}

void notified(microkit_channel ch) { (void)ch; }
