/* Checks the contents of a memory region the packer prefilled from a file. */
#include <microkit.h>
#include <stdint.h>

uintptr_t prefilled_vaddr;
uint64_t prefilled_size;

static int word_is(uint64_t offset, uint32_t value) {
  return *(volatile uint32_t *)(prefilled_vaddr + offset) == value;
}

void init(void) {
  microkit_dbg_puts("hello, world. my name is ");
  microkit_dbg_puts(microkit_name);
  microkit_dbg_putc('\n');
  microkit_dbg_puts("checking prefilled memory region data length\n");
  if (prefilled_size != 4112) {
    microkit_dbg_puts("oh no prefilled data length doesn't match: ");
    microkit_dbg_put32((seL4_Uint32)prefilled_size);
    microkit_dbg_putc('\n');
    return;
  }
  microkit_dbg_puts("checking prefilled memory region data\n");
  if (!word_is(0, 0x53145314) || !word_is(4, 0x01234567) || !word_is(0x408, 0x89ABCDEF) ||
      !word_is(0x100c, 0x75757575)) {
    microkit_dbg_puts("oh no prefilled data doesn't match\n");
    return;
  }
  microkit_dbg_puts("prefilled data OK!\n");
}

void notified(microkit_channel ch) { (void)ch; }
