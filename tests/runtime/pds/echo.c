/* A console driver (IRQ 33): echoes every input line, as "echo: <line>", both on its debug output
 * and raw on the console device's output. */
#include <microkit.h>
#include <stdint.h>
#include <unistd.h>

uintptr_t console_regs;
static int in_fd = -1, out_fd = -1;
static char line[256];
static unsigned used;

void init(void) {
  const volatile uint32_t *info = (const volatile uint32_t *)console_regs;
  /* DeviceInfo: magic, version, kind, index, irq, fd, fd2 */
  if (info[0] != 0x76656463u) {
    microkit_dbg_puts("echo: no device info\n");
    return;
  }
  in_fd = (int)info[5];
  out_fd = (int)info[6];
  microkit_dbg_puts("echo: ready\n");
}

static void emit(void) {
  line[used] = '\0';
  /* Raw output first: the debug line is what tests wait for. */
  (void)!write(out_fd, "echo: ", 6);
  (void)!write(out_fd, line, used);
  (void)!write(out_fd, "\n", 1);
  microkit_dbg_puts("echo: ");
  microkit_dbg_puts(line);
  microkit_dbg_putc('\n');
  used = 0;
}

void notified(microkit_channel ch) {
  char buf[64];
  ssize_t n;
  while ((n = read(in_fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n' || buf[i] == '\r') {
        if (used > 0) emit();
      } else if (used < sizeof line - 1) {
        line[used++] = buf[i];
      }
    }
  }
  microkit_irq_ack(ch);
}
