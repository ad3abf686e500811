/* Answers every notified() on channel 4 with a notify on channel 4 (CountersTest.cpp). */
#include <microkit.h>

void init(void) {}

void notified(microkit_channel ch) {
  if (ch == 4) microkit_notify(4);
}
