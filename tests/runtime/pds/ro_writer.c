/* Writes to a region the SDF maps read-only. */
#include <microkit.h>
#include <stdint.h>

uintptr_t ro_vaddr;

void init(void) {
  microkit_dbg_puts("ro_writer: writing\n");
  *(volatile uint32_t *)ro_vaddr = 1;
  microkit_dbg_puts("ro_writer: the write went through\n");
}

void notified(microkit_channel ch) { (void)ch; }
