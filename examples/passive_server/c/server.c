/* A passive server: runs only when called, on the caller's scheduling context. */
#include <microkit.h>

void init(void) { microkit_dbg_puts("SERVER|INFO: init function running\n"); }

void notified(microkit_channel ch) {
  (void)ch;
  microkit_dbg_puts("SERVER|ERROR: unexpected notification\n");
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo) {
  (void)ch;
  switch (microkit_msginfo_get_label(msginfo)) {
    case 1:
      microkit_dbg_puts("SERVER|INFO: running on clients scheduling context\n");
      break;
    default:
      microkit_dbg_puts("SERVER|ERROR: received an unexpected message\n");
      break;
  }
  return seL4_MessageInfo_new(0, 0, 0, 0);
}
