/* Tries to open a file: the sandbox refuses. */
#include <fcntl.h>
#include <microkit.h>

void init(void) {
  microkit_dbg_puts("opener: opening\n");
  int fd = open("/etc/hostname", O_RDONLY);
  microkit_dbg_puts(fd >= 0 ? "opener: opened\n" : "opener: open failed\n");
}

void notified(microkit_channel ch) { (void)ch; }
