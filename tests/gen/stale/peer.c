/* The other end of the checked PDs' channels. */
#include <microkit.h>

void init(void) {}
void notified(microkit_channel ch) { (void)ch; }
