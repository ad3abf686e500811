/* Prints the addresses the packer patched into its variables. */
#include <microkit.h>
#include <stdint.h>

uintptr_t mr_with_paddr_vaddr;
uintptr_t mr_with_paddr_paddr;
uintptr_t small_mr_no_paddr_paddr;
uintptr_t large_mr_no_paddr_paddr;
uintptr_t pl011_paddr;

static void show(const char *what, const char *name, uintptr_t value) {
  microkit_dbg_puts(what);
  microkit_dbg_puts(" of '");
  microkit_dbg_puts(name);
  microkit_dbg_puts("': ");
  microkit_dbg_put32((seL4_Uint32)value);
  microkit_dbg_putc('\n');
}

void init(void) {
  show("Virtual address", "mr_with_paddr", mr_with_paddr_vaddr);
  show("Physical address", "mr_with_paddr", mr_with_paddr_paddr);
  show("Physical address", "small_mr_no_paddr", small_mr_no_paddr_paddr);
  show("Physical address", "large_mr_no_paddr", large_mr_no_paddr_paddr);
  show("Physical address", "pl011_paddr", pl011_paddr);
}

void notified(microkit_channel ch) { (void)ch; }
