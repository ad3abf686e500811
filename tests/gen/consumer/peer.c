#include "peer_ids.h"

void init(void) {}
void notified(microkit_channel ch) {
  if (ch == PEER_CH_APP) microkit_dbg_puts("peer: notified by app\n");
}
