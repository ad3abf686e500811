/* Traps once (its parent resumes it), then tries a refused system call. */
#include <fcntl.h>
#include <microkit.h>

void init(void) {
  microkit_dbg_puts("trapper: before\n");
  __asm__ volatile("int3");
  microkit_dbg_puts("trapper: resumed\n");
  (void)open("/etc/hostname", O_RDONLY);
  microkit_dbg_puts("trapper: after the refused call\n");
}

void notified(microkit_channel ch) { (void)ch; }
